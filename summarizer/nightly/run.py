"""The nightly run itself: one run per output folder, the batch within its limits, then briefs, digest, report.

Each brief's files are written atomically and only then is its ledger row marked done, so a crash at
any point leaves at worst a pending row for the next run to redo.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import threading
import time
from collections.abc import Awaitable, Iterable, Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path

from summarizer.atomic import MarksMiscounted, remove_stale_temporaries, write_atomically, write_copies_atomically
from summarizer.batch import FileSource, Outcome, run_batch
from summarizer.redaction import secrets_of
from summarizer.digest import BriefLink, Digest, FailedDocument, build_digest
from summarizer.errors import ConfigError, SummarizerError
from summarizer.heap import left_out_of_collections
from summarizer.ledger import LEDGER_NAME, Ledger, Status, error_line
from summarizer.nightly.discovery import Discovery, discover
from summarizer.nightly.options import NightlyOptions
from summarizer.nightly.plan import BRIEFS_DIR, DoneBrief, EngineIdentity, Item, Plan, engine_identity, make_plan
from summarizer.nightly.progress import Reporter, SilentReporter
from summarizer.nightly.report import RunReport, build_report, quarantine_note
from summarizer.nightly.stories_step import index_run
from summarizer.render import to_html, to_markdown
from summarizer.render.html import LINK_MARK, digest_html_chunks, prefixed_alike
from summarizer.schema import Brief, Usage
from summarizer.stories.models import StoryMemory

RUNS_DIR = "runs"
DIGEST = "digest"  # digest.md, .json, .html: the latest night's
DIGESTS_DIR = "digests"  # each night's digest kept as <date>.md, .json, .html
LOCK_NAME = ".nightly.lock"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM stops the run as Ctrl-C does (exit 130, a report, the ledger up to date), not outright.

    Only from the main thread, where Python delivers signals; elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


_held_lock: int | None = None  # the descriptor of the lock this process holds (`run_lock`)


def _leave_lock_to_parent() -> None:
    # A forked worker shares the parent's lock (flock belongs to the open file, which fork shares): were it
    # to outlive a parent killed with SIGKILL, the next run would be refused until it ended. The child's
    # descriptor is pointed elsewhere instead of closed, so that no later file of the child takes its number.
    if _held_lock is not None:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, _held_lock)
        os.close(devnull)


os.register_at_fork(after_in_child=_leave_lock_to_parent)


@contextlib.contextmanager
def run_lock(out: Path) -> Iterator[None]:
    """One run per output folder: a second one fails at once instead of corrupting the first."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock available
        yield
        return
    with (out / LOCK_NAME).open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ConfigError(
                f"{out}: another summarizer nightly run is in progress (pid {holder}); "
                "wait for it to finish or use another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        global _held_lock
        _held_lock = handle.fileno()
        try:
            yield
        finally:
            _held_lock = None
            handle.truncate(0)
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S.") + f"{now.microsecond // 1000:03d}Z"


def _error_text(error: BaseException, secrets: Sequence[str], path: Path | str) -> str:
    text = str(error) if isinstance(error, SummarizerError) else f"{type(error).__name__}: {error}"
    # Reports and logs put the path before the error already; intake's messages start with it too.
    return error_line(text.removeprefix(f"{path}: "), secrets)


def _html_path(item: Item) -> str:
    """The brief's review page, beside its JSON (relative to the output folder, like the digest)."""
    return str(Path(item.json_path).with_suffix(".html"))


def _write_brief(out: Path, item: Item, brief: Brief, *, durable: bool = True) -> None:
    # JSON first, then Markdown and the review page, the ledger last: a done row has its files behind it.
    # durable=False: the caller makes many briefs durable at once (atomic.sync_all) before recording them.
    write_atomically(out / item.json_path, brief.model_dump_json(indent=2) + "\n", durable=durable)
    write_atomically(out / item.md_path, to_markdown(brief), durable=durable)
    write_atomically(out / _html_path(item), to_html(brief), durable=durable)


class _Budget:
    """What this run has started and spent, and whether one more document may start."""

    def __init__(self, max_docs: int | None, token_budget: int | None) -> None:
        self.max_docs = max_docs
        self.token_budget = token_budget
        self.started = 0
        self.usage = Usage()
        self.requests = 0
        self.stopped: str | None = None

    def may_start(self, _: int) -> bool:
        if self.max_docs is not None and self.started >= self.max_docs:
            self.stopped = f"--max-docs {self.max_docs} reached"
            return False
        spent = self.usage.total_tokens
        if self.token_budget is not None and spent >= self.token_budget:
            self.stopped = f"token budget of {self.token_budget:,} spent ({spent:,} tokens)"
            return False
        self.started += 1
        return True

    def spend(self, brief: Brief) -> None:
        self.usage = self.usage + brief.provenance.usage
        self.requests += brief.provenance.attempts


async def _execute(
    todo: list[Item],
    options: NightlyOptions,
    ledger: Ledger,
    run_id: str,
    budget: _Budget,
    reporter: Reporter,
) -> None:
    secrets = secrets_of(options.settings)
    out = options.out
    finished = 0
    total = len(todo) if options.max_docs is None else min(len(todo), options.max_docs)
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    # systemd and timeout(1) stop with SIGTERM: within the loop it cancels the run as Ctrl-C does.
    on_main_thread = threading.current_thread() is threading.main_thread() and main is not None
    outside = signal.getsignal(signal.SIGTERM)
    if on_main_thread:
        loop.add_signal_handler(signal.SIGTERM, main.cancel)  # type: ignore[union-attr]

    def started(index: int) -> None:
        ledger.start(todo[index].key, run_id)
        todo[index].attempts += 1

    def ended(outcome: Outcome) -> Awaitable[None]:
        # Counted at once, whether or not its files can be written: the next start checks the budget.
        if outcome.brief is not None:
            budget.spend(outcome.brief)
        return record(outcome)

    async def record(outcome: Outcome) -> None:
        nonlocal finished
        item = todo[outcome.index]
        item.seconds = outcome.seconds
        if outcome.brief is not None:
            brief = outcome.brief
            try:
                await asyncio.to_thread(_write_brief, out, item, brief)
            except OSError as exc:
                item.status, item.error = Status.failed, f"cannot write {out / item.json_path}: {exc.strerror or exc}"
                ledger.finish_failed(item.key, item.error)
            else:
                spent = brief.provenance.usage
                ledger.finish_done(item.key, spent, brief.provenance.attempts)
                item.status, item.done_brief, item.data = Status.done, DoneBrief.of(brief), None
                item.tokens = spent.total_tokens
                item.fetched = None
        else:
            assert outcome.error is not None
            item.status, item.error = Status.failed, _error_text(outcome.error, secrets, item.path)
            ledger.finish_failed(item.key, item.error)
        finished += 1
        reporter.document(item, finished, total)

    try:
        await run_batch(
            [item.fetched or FileSource(Path(item.path), item.data or b"") for item in todo],
            options.settings,
            concurrency=options.concurrency,
            may_start=budget.may_start,
            on_start=started,
            on_outcome=ended,
            timeout=options.doc_timeout,
            # With a token budget every start must see what the documents before it spent.
            read_ahead=options.token_budget is None,
        )
    finally:
        if on_main_thread:
            loop.remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, outside)  # remove_signal_handler leaves SIG_DFL, which kills outright


def _write_digest(
    out: Path, plan: Plan, run_id: str, night: str, warnings: list[str], memory: StoryMemory | None,
    footer: Sequence[str] = (),
) -> str:
    done = [
        (item, item.done_brief.digest)
        for item in plan.items
        if item.status in (Status.reused, Status.done) and item.done_brief is not None
    ]
    entries = [
        (
            BriefLink(
                id=item.id,
                title=brief.title or item.id,
                json_path=item.json_path,
                md_path=item.md_path,
                source_path=str(item.path),
                engine=brief.engine,
                model=brief.model,
            ),
            brief,
        )
        for item, brief in done
    ]
    failed = [FailedDocument(path=str(p), error=e) for p, e in plan.unreadable]
    failed += [
        FailedDocument(path=str(i.path), error=i.error or "failed") for i in plan.items if i.status is Status.failed
    ]
    failed += [
        FailedDocument(path=str(i.path), error=quarantine_note(i.failures, i.error))
        for i in plan.items
        if i.status is Status.quarantined
    ]
    failed += [
        # A Batch API document sent back to pending carries its reason; others were not started.
        FailedDocument(path=str(i.path), error=i.error or "not started in this run; pending for the next")
        for i in plan.items
        if i.status is Status.pending
    ]
    digest = build_digest(entries, run_id=run_id, failed=failed, memory=memory)
    if footer:
        digest = digest.model_copy(update={"footer": list(footer)})
    wanted = {item.id: _html_path(item) for item, _ in done}
    present = _present(out, wanted.values())
    pages = {brief_id: path for brief_id, path in wanted.items() if path in present}
    # The night's copy, so that tomorrow's digest does not replace it; its links climb out of digests/.
    copies = {DIGEST: "", f"{DIGESTS_DIR}/{night}": "../"}
    _write_digest_files(out, copies, digest)
    _write_pages(out, copies, digest, pages, warnings)
    return f"{DIGEST}.md"


def _present(out: Path, paths: Iterable[str]) -> set[str]:
    """Those of `paths` (relative to `out`) that are there: one listing of each of their folders, where a
    look-up per path cost 10,000 system calls on a night of 10,000 briefs."""
    listed: dict[str, set[str]] = {}
    present = set()
    for path in paths:
        folder, name = os.path.split(path)
        if folder not in listed:
            try:
                listed[folder] = set(os.listdir(out / folder))
            except OSError:
                listed[folder] = set()
        if name in listed[folder]:
            present.add(path)
    return present


def _linked_from(digest: Digest, prefix: str) -> Digest:
    """`digest` with its links to briefs' files starting with `prefix` (the way to them from its folder)."""
    return digest.model_copy(update={"briefs": [
        link.model_copy(update={"json_path": prefix + link.json_path, "md_path": prefix + link.md_path})
        for link in digest.briefs
    ]})


class _PageFailed(Exception):
    """Rendering the digest's page failed (not writing it): the page is skipped with a warning."""


def _page(digest: Digest, pages: dict[str, str], mark: str = "") -> Iterator[str]:
    try:
        yield from digest_html_chunks(digest, brief_pages=pages, mark=mark)
    except Exception as exc:  # noqa: BLE001 - the review page must not cost the night's briefs and digest
        raise _PageFailed(f"{type(exc).__name__}: {exc}") from exc


def _write_digest_files(out: Path, copies: dict[str, str], digest: Digest) -> None:
    """The digest's JSON and Markdown at each stem of `copies`, whose links to the briefs' files start
    with its prefix.

    The JSON is written piece by piece as it is made: a night of 10,000 briefs makes ~90 MB of it, which
    need not be held whole. It is made once for all copies, its links marked, and the mark replaced by
    each copy's prefix; it is made once per copy when the briefs' own words hold the mark."""
    marked = _linked_from(digest, LINK_MARK)
    try:
        write_copies_atomically(itertools.chain(marked.json_chunks(), ("\n",)), LINK_MARK,
                                {out / f"{stem}.json": prefix for stem, prefix in copies.items()},
                                marks=2 * len(marked.briefs))  # each brief's JSON and Markdown paths
    except MarksMiscounted:
        for stem, prefix in copies.items():
            linked = _linked_from(digest, prefix)
            write_atomically(out / f"{stem}.json", itertools.chain(linked.json_chunks(), ("\n",)))
    for stem, prefix in copies.items():
        write_atomically(out / f"{stem}.md", to_markdown(_linked_from(digest, prefix) if prefix else digest))


def _write_pages(out: Path, copies: dict[str, str], digest: Digest, pages: dict[str, str],
                 warnings: list[str]) -> None:
    """The digest's page at each stem of `copies`, whose links to the briefs' files start with its prefix.

    One page of 10,000 briefs takes seconds to render (~60 MB of HTML): it is rendered once, its links
    marked, and each copy written with its prefix in place of the mark. Only when a link would not take
    a prefix as a path does (never, for the paths a run makes) is each copy rendered on its own."""
    paths = [path for link in digest.briefs for path in (link.md_path, link.json_path)] + list(pages.values())
    if all(prefixed_alike(paths, prefix) for prefix in copies.values()):
        try:
            write_copies_atomically(_page(digest, pages, LINK_MARK), LINK_MARK,
                                    {out / f"{stem}.html": prefix for stem, prefix in copies.items()})
        except _PageFailed as exc:
            warnings.extend(f"{stem}.html not written: {exc}" for stem in copies)
        return
    for stem, prefix in copies.items():
        try:
            write_atomically(out / f"{stem}.html",
                             _page(_linked_from(digest, prefix), {k: prefix + v for k, v in pages.items()}))
        except _PageFailed as exc:
            warnings.append(f"{stem}.html not written: {exc}")


def _index_stories(
    options: NightlyOptions, plan: Plan, run_id: str, night: date, warnings: list[str]
) -> StoryMemory | None:
    try:
        return index_run(options.out, plan, run_id, night, options.force)
    except Exception as exc:  # noqa: BLE001 - story memory must not cost the night's briefs and digest
        warnings.append(f"story index not updated (the next run retries): {type(exc).__name__}: {exc}")
        return None


def run_nightly(options: NightlyOptions, reporter: Reporter | None = None) -> RunReport:
    """Run the nightly batch over `options.inputs` into `options.out`; the report says how it went.

    Raises InputError / ConfigError (bad usage) before any document runs. Ctrl-C or SIGTERM ends the
    run early with status "interrupted": in-flight documents stay pending, the ledger stays consistent.
    """
    reporter = reporter or SilentReporter()
    out = options.out
    # Checked here, not when the options are made: the folder may change between the two.
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: is a file; give a folder (created if missing)")
    if options.batch_api is not None:
        from summarizer.batch_api.run import check_options

        check_options(options)
    found = discover(options.inputs, out, options.since)
    identity = engine_identity(options.settings)
    started_at = datetime.now(timezone.utc)
    began = time.perf_counter()
    try:
        with sigterm_interrupts():
            report = _locked_run(options, found, identity, started_at, began, reporter)
    except BaseException:
        reporter.end(None)  # the run failed before it could report: still take the progress bar down
        raise
    reporter.end(report)
    return report


def _locked_run(
    options: NightlyOptions,
    found: Discovery,
    identity: EngineIdentity,
    started_at: datetime,
    began: float,
    reporter: Reporter,
) -> RunReport:
    out = options.out
    with run_lock(out):
        for folder in (out, out / BRIEFS_DIR, out / RUNS_DIR, out / DIGESTS_DIR):
            remove_stale_temporaries(folder)
        with Ledger(out / LEDGER_NAME) as ledger:
            run_id = new_run_id(started_at)
            ledger.begin_run(run_id, identity.engine, identity.model, identity.prompt_version)
            quarantine_after = None if options.retry_failed else options.quarantine_after
            plan = make_plan(found.paths, identity, ledger, out, options.force, options.settings, quarantine_after)
            plan.unreadable += found.missing
            todo = plan.todo
            ledger.enqueue([(i.key, str(i.path), i.json_path, i.md_path) for i in todo], run_id)
            to_run = len(todo) if options.max_docs is None else min(len(todo), options.max_docs)
            reporter.begin(plan, identity, to_run)
            budget = _Budget(options.max_docs, options.token_budget)
            interrupted = False
            batch_began = time.perf_counter()
            warnings: list[str] = []
            batch_api = None
            try:
                if options.batch_api is not None:
                    # Always called, even with nothing new to do: batches of earlier runs may have ended.
                    from summarizer.batch_api.run import run_batch_api

                    batch_api = run_batch_api(plan, todo, options, ledger, run_id, reporter,
                                              lambda item, brief: _write_brief(out, item, brief, durable=False), warnings)
                    budget.usage = batch_api.usage
                    budget.requests = batch_api.requests
                elif todo:
                    asyncio.run(_execute(todo, options, ledger, run_id, budget, reporter))
            except (KeyboardInterrupt, asyncio.CancelledError):
                interrupted = True
            batch_seconds = time.perf_counter() - batch_began
            for item in todo:
                if item.status is Status.todo:
                    item.status = Status.pending
            # The night the stories and the kept digest are filed under: --night, else the local date.
            night = options.night or started_at.astimezone().date()
            # Nothing the run holds now is garbage before it ends (see `left_out_of_collections`).
            with left_out_of_collections():
                memory = None if interrupted else _index_stories(options, plan, run_id, night, warnings)
                footer = [batch_api.footer()] if batch_api else []
                digest = None
                if not interrupted:
                    try:
                        digest = _write_digest(out, plan, run_id, night.isoformat(), warnings, memory, footer)
                    except KeyboardInterrupt:  # the briefs are all written: the next run writes the digest
                        interrupted = True
            report = build_report(
                options, identity, plan, run_id=run_id, started_at=started_at, began=began, interrupted=interrupted,
                usage=budget.usage, requests=budget.requests, batch_seconds=batch_seconds,
                budget_stopped=budget.stopped, digest=digest, warnings=warnings, skipped=found.skipped,
                batch_api=batch_api,
            )
            report_path = f"{RUNS_DIR}/{run_id}.json"
            write_atomically(out / report_path, report.model_dump_json(indent=2) + "\n")
            ledger.end_run(
                run_id, interrupted=interrupted, documents=report.counts.documents, done=report.counts.done,
                failed=report.counts.failed, pending=report.counts.pending, total_tokens=report.usage.total_tokens,
                report_path=report_path,
            )
    return report
