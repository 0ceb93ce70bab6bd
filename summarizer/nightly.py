"""`summarizer nightly`: a folder of documents in, a brief per document plus one digest out, safe to leave to cron.

A run, top to bottom:
1. discover: directories (recursively *.txt, *.md, *.html, *.htm, hidden entries and the output folder
   skipped), files, and `@list.txt` manifests; `--since` keeps files modified since then;
2. plan: hash each file's bytes and look the (hash, engine, model, prompt version) key up in the ledger:
   done (with both brief files present and readable) is reused, anything else is queued as pending;
3. run: `batch.run_batch` with bounded concurrency; `--max-docs` and `--token-budget` stop *starting*
   documents (the rest stay pending for the next run); each brief's files are written atomically and
   only then is its row marked done, so a crash at any point leaves at worst a pending row to redo;
4. report: `digest.md` (+ `digest.json`, and `digest.html` when the review page renderer exists) over
   every done document of this run's inputs, and `runs/<run id>.json`.

Output folder layout:
    briefs/<slug>-<hash8>.json, .md   one pair per document
    runs/<run id>.json                one report per run
    digest.md, digest.json, digest.html
    ledger.sqlite3 (+ -wal, -shm)     see summarizer.ledger
    .nightly.lock                     held while a run is in progress (one run per folder at a time)
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from pydantic import BaseModel, Field

from summarizer.api import choose_engine
from summarizer.atomic import remove_stale_temporaries, write_atomically
from summarizer.batch import FileSource, Outcome, effective_concurrency, run_batch
from summarizer.config import DEFAULT_MODEL, Settings, require_endpoint, secrets_of
from summarizer.digest import BriefLink, Digest, FailedDocument, build_digest
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.ledger import LEDGER_NAME, DocKey, Ledger, Row, Status, redact
from summarizer.render.html import render_digest_html
from summarizer.schema import Brief, Usage

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
BRIEFS_DIR = "briefs"
RUNS_DIR = "runs"
DIGEST_MD = "digest.md"
DIGEST_JSON = "digest.json"
DIGEST_HTML = "digest.html"
LOCK_NAME = ".nightly.lock"
_SLUG_MAX = 48
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


# --- options --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NightlyOptions:
    inputs: Sequence[str]
    out: Path
    settings: Settings
    concurrency: int | None = None
    max_docs: int | None = None
    token_budget: int | None = None
    force: bool = False
    since: datetime | None = None
    doc_timeout: float | None = None


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """A date (YYYY-MM-DD, local midnight), an ISO date-time, or a duration back from now (90m, 36h, 7d, 2w)."""
    now = now or datetime.now().astimezone()
    match = _DURATION.match(text)
    if match:
        amount, unit = float(match.group(1)), match.group(2).lower()
        return now - timedelta(**{_DURATION_UNITS[unit]: amount})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--since {text!r}: not a date (2026-11-24), a date-time (2026-11-24T18:00) or a duration (36h, 7d)"
        ) from None
    return when if when.tzinfo else when.astimezone()


# --- discovery ------------------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _walk(folder: Path, skip: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _inside((here / d).resolve(), skip))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in DOCUMENT_SUFFIXES:
                yield here / name


def _manifest_entries(manifest: Path) -> Iterator[tuple[Path, str]]:
    if not manifest.is_file():
        raise InputError(f"@{manifest}: no such manifest file; give @FILE listing one path per line")
    try:
        lines = manifest.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"@{manifest}: cannot be read as a UTF-8 list of paths ({exc})") from None
    for number, line in enumerate(lines, 1):
        entry = line.strip()
        if entry and not entry.startswith("#"):
            path = Path(entry).expanduser()
            # normpath: "lists/../inbox/a.txt" reads better as "inbox/a.txt" in logs and reports.
            full = path if path.is_absolute() else Path(os.path.normpath(manifest.parent / path))
            yield full, f"@{manifest} line {number}"


def discover(inputs: Sequence[str], out: Path, since: datetime | None = None) -> list[Path]:
    """Every document the inputs name, in the order given (folders sorted), each once."""
    if not inputs:
        raise InputError("no INPUT given: name folders, files or @manifest files to summarize")
    skip = out.resolve()
    named: list[tuple[Path, str]] = []
    for given in inputs:
        if given.startswith("@"):
            named.extend(_manifest_entries(Path(given[1:]).expanduser()))
        else:
            named.append((Path(given).expanduser(), "INPUT"))
    found: list[Path] = []
    seen: set[Path] = set()
    for path, where in named:
        if path.is_dir():
            candidates: Iterator[Path] | list[Path] = _walk(path, skip)
        elif path.exists():
            candidates = [path]  # a named pipe or device too: planning reports it instead of reading it
        else:
            raise InputError(f"{path}: no such file or directory (from {where}); check the path")
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if since is not None and _mtime(candidate) < since.timestamp():
                continue
            found.append(candidate)
    return found


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")  # unreadable: keep it, so reading it reports the problem


# --- identity, keys and names ---------------------------------------------------------------------


@dataclass(frozen=True)
class EngineIdentity:
    """What, besides the bytes, decides a brief: the ledger key's other three parts."""

    engine: str
    model: str
    prompt_version: str
    reason: str


def engine_identity(settings: Settings) -> EngineIdentity:
    """The engine `settings` selects, its model and its prompt (or rules) version, without running it."""
    engine, reason = choose_engine(settings)
    if engine == "extractive":
        from summarizer.engines import extractive, nlp

        return EngineIdentity(engine, nlp.model_id(), extractive.RULES_VERSION, reason)
    from summarizer.prompting import prompt_version

    if engine == "llm":
        require_endpoint(settings)
        return EngineIdentity(engine, settings.model or DEFAULT_MODEL, prompt_version(), reason)
    if engine == "local":
        from summarizer.engines import local

        reused = local.reused_server(settings)
        if reused is not None:
            model = reused.model
        else:
            model = local.check_gguf(settings.gguf).name if settings.gguf else local.smollm2_gguf().name
        return EngineIdentity(engine, model, prompt_version(), reason)
    raise ConfigError(f"unknown engine {engine!r}; choose one of: auto, llm, extractive, local")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def slugify(text: str) -> str:
    """A file-name-safe, lower-case ASCII slug; 'document' when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:_SLUG_MAX].rstrip("-") or "document"


def brief_id(path: Path, digest: str) -> str:
    return f"{slugify(path.stem)}-{digest[:8]}"


# --- the plan -------------------------------------------------------------------------------------


@dataclass
class Item:
    """One distinct document of this run."""

    path: Path
    key: DocKey
    id: str
    json_path: str  # relative to the output folder
    md_path: str
    data: bytes | None = None  # kept only while the document still has to run
    brief: Brief | None = None  # a done brief, loaded for the digest
    status: str = "todo"  # reused (done by an earlier run) or todo, which ends done, failed or pending
    error: str | None = None
    seconds: float = 0.0
    tokens: int = 0
    attempts: int = 0


@dataclass
class Plan:
    items: list[Item]
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)  # (path, same content as)

    @property
    def todo(self) -> list[Item]:
        return [item for item in self.items if item.status == "todo"]


def _load_done(row: Row, out: Path) -> Brief | None:
    """The brief a done row points to, or None when a file is missing or unreadable (redo it)."""
    json_file, md_file = out / row.brief_json, out / row.brief_md
    if not md_file.is_file():
        return None
    try:
        return Brief.model_validate_json(json_file.read_bytes())
    except (OSError, ValueError):
        return None


def make_plan(paths: Sequence[Path], identity: EngineIdentity, ledger: Ledger, out: Path, force: bool) -> Plan:
    rows = ledger.rows_for(identity.engine, identity.model, identity.prompt_version)
    plan = Plan(items=[])
    by_hash: dict[str, Item] = {}
    for path in paths:
        if not path.is_file():
            # Reading a named pipe would wait for a writer forever.
            plan.unreadable.append((path, "is not a regular file (a named pipe or device); move it out of the inbox"))
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            plan.unreadable.append((path, f"cannot be read ({exc.strerror or exc}); make the file readable"))
            continue
        digest = content_hash(data)
        if digest in by_hash:
            plan.duplicates.append((path, by_hash[digest].path))
            continue
        key = DocKey(digest, identity.engine, identity.model, identity.prompt_version)
        row = rows.get(digest)
        done = None if force or row is None or row.status is not Status.done else _load_done(row, out)
        if row is not None and done is not None:
            stem = Path(row.brief_json).stem
            item = Item(path, key, stem, row.brief_json, row.brief_md, brief=done, status="reused",
                        tokens=row.usage.total_tokens, attempts=row.attempts)
        else:
            stem = brief_id(path, digest)
            item = Item(path, key, stem, f"{BRIEFS_DIR}/{stem}.json", f"{BRIEFS_DIR}/{stem}.md", data=data,
                        attempts=row.attempts if row else 0)
        by_hash[digest] = item
        plan.items.append(item)
    return plan


# --- the run report -------------------------------------------------------------------------------


class DocumentReport(BaseModel):
    path: str
    brief: str = Field(description="The brief's JSON file, relative to the output folder.")
    status: str = Field(description="done (this run), reused (done by an earlier run), failed or pending.")
    seconds: float = 0.0
    tokens: int = 0
    attempts: int = 0
    error: str | None = None


class Counts(BaseModel):
    inputs: int = Field(0, description="Files found.")
    documents: int = Field(0, description="Distinct documents (files with the same bytes count once).")
    reused: int = Field(0, description="Done by an earlier run, nothing to do.")
    done: int = Field(0, description="Summarized by this run.")
    failed: int = Field(0, description="Failed in this run (retried by the next), unreadable files included.")
    pending: int = Field(0, description="Left for the next run (--max-docs, --token-budget or interruption).")
    duplicates: int = 0


class RunReport(BaseModel):
    run_id: str
    status: str = Field(description="finished or interrupted.")
    started_at: datetime
    finished_at: datetime
    seconds: float
    batch_seconds: float = Field(0.0, description="From the first document's start to the last one's end.")
    out: str
    engine: str
    model: str
    prompt_version: str
    concurrency: int
    max_docs: int | None = None
    token_budget: int | None = None
    force: bool = False
    since: datetime | None = None
    stopped: str | None = Field(None, description="Why documents were left pending, if any were.")
    counts: Counts
    usage: Usage = Field(default_factory=Usage, description="Tokens spent by this run.")
    requests: int = 0
    failures: list[DocumentReport] = Field(default_factory=list)
    documents: list[DocumentReport] = Field(default_factory=list)
    duplicates: dict[str, str] = Field(default_factory=dict, description="Path -> the path with the same bytes.")
    digest: str | None = None
    warnings: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "finished" and self.counts.failed == 0

    def summary_line(self) -> str:
        c = self.counts
        parts = [f"{c.documents} documents", f"{c.done + c.reused} done ({c.done} new, {c.reused} already done)"]
        parts += [f"{c.failed} failed", f"{c.pending} pending"]
        tokens = f" · {self.usage.total_tokens:,} tokens" if self.usage.total_tokens else ""
        stopped = f" · stopped: {self.stopped}" if self.stopped else ""
        digest = f" · digest {Path(self.out) / self.digest}" if self.digest else ""
        return f"nightly {self.status}: {', '.join(parts)}{tokens} · {self.seconds:.1f} s{stopped}{digest}"


# --- progress -------------------------------------------------------------------------------------


class Reporter(Protocol):
    def begin(self, plan: Plan, identity: EngineIdentity, to_run: int) -> None: ...
    def document(self, item: Item, position: int, total: int) -> None: ...
    def end(self, report: RunReport | None) -> None: ...


def _doc_line(item: Item, out: Path, position: int, total: int) -> str:
    head = f"[{position}/{total}]"
    if item.status == "done":
        tokens = f", {item.tokens:,} tokens" if item.tokens else ""
        return f"{head} done {item.path} -> {out / item.json_path} ({item.seconds:.1f} s{tokens})"
    return f"{head} FAILED {item.path}: {item.error}"


def _begin_line(plan: Plan, identity: EngineIdentity, to_run: int) -> str:
    reused = sum(1 for item in plan.items if item.status == "reused")
    return (
        f"nightly: {len(plan.items)} documents, {reused} already done, {to_run} to do · "
        f"engine {identity.engine}, model {identity.model}, {identity.prompt_version}: {identity.reason}"
    )


class PlainReporter:
    """One line per document on a stream: what cron mails and journald keeps."""

    def __init__(self, out: Path, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.out = out
        self.stream = stream or sys.stderr
        self.quiet = quiet

    def _say(self, message: str) -> None:
        print(f"summarizer: {message}", file=self.stream, flush=True)

    def begin(self, plan: Plan, identity: EngineIdentity, to_run: int) -> None:
        if not self.quiet:
            self._say(_begin_line(plan, identity, to_run))

    def document(self, item: Item, position: int, total: int) -> None:
        if not self.quiet or item.status != "done":
            self._say(_doc_line(item, self.out, position, total))

    def end(self, report: RunReport | None) -> None:
        if report is not None:
            _end_lines(report, self._say)


def _end_lines(report: RunReport, say: Callable[[str], None]) -> None:
    for failure in report.failures:
        say(f"failed: {failure.path}: {failure.error}")
    for warning in report.warnings:
        say(f"warning: {warning}")
    say(report.summary_line())


class RichReporter:
    """A progress bar on a terminal; failures are printed above it as they happen."""

    def __init__(self, out: Path) -> None:
        from rich.console import Console

        self.out = out
        self.console = Console(stderr=True)
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def begin(self, plan: Plan, identity: EngineIdentity, to_run: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.progress import TimeRemainingColumn

        self.console.print(f"summarizer: {_begin_line(plan, identity, to_run)}", markup=False, highlight=False)
        if to_run:
            progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TimeRemainingColumn(), console=self.console, transient=True,
            )
            progress.start()
            self._task = progress.add_task("summarizing", total=to_run)
            self._progress = progress

    def document(self, item: Item, position: int, total: int) -> None:
        if item.status != "done":
            self.console.print(f"summarizer: {_doc_line(item, self.out, position, total)}", markup=False,
                               highlight=False, style="red")
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, description=item.path.name[:40])

    def end(self, report: RunReport | None) -> None:
        if self._progress is not None:
            self._progress.stop()
        if report is not None:
            _end_lines(report, lambda m: self.console.print(f"summarizer: {m}", markup=False, highlight=False))


class SilentReporter:
    def begin(self, plan: Plan, identity: EngineIdentity, to_run: int) -> None:
        pass

    def document(self, item: Item, position: int, total: int) -> None:
        pass

    def end(self, report: RunReport | None) -> None:
        pass


# --- the run --------------------------------------------------------------------------------------


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
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S.") + f"{now.microsecond // 1000:03d}Z"


def _error_text(error: BaseException, secrets: Sequence[str]) -> str:
    text = str(error) if isinstance(error, SummarizerError) else f"{type(error).__name__}: {error}"
    return redact(text, secrets)


def _html_path(item: Item) -> str:
    """The brief's review page, beside its JSON (relative to the output folder, like the digest)."""
    return str(Path(item.json_path).with_suffix(".html"))


def _write_brief(out: Path, item: Item, brief: Brief) -> None:
    # JSON first, then Markdown and the review page, the ledger last: a done row has its files behind it.
    write_atomically(out / item.json_path, brief.model_dump_json(indent=2) + "\n")
    write_atomically(out / item.md_path, brief.to_markdown())
    write_atomically(out / _html_path(item), brief.to_html())


class _Budget:
    """What this run has started and spent, and whether one more document may start."""

    def __init__(self, max_docs: int | None, token_budget: int | None) -> None:
        self.max_docs = max_docs
        self.token_budget = token_budget
        self.started = 0
        self.usage = Usage()
        self.requests = 0
        self.seconds = 0.0
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
    # systemd and timeout(1) stop with SIGTERM: stop as cleanly as for Ctrl-C.
    on_main_thread = threading.current_thread() is threading.main_thread() and main is not None
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
                item.status, item.error = "failed", f"cannot write {out / item.json_path}: {exc.strerror or exc}"
                ledger.finish_failed(item.key, item.error)
            else:
                spent = brief.provenance.usage
                ledger.finish_done(item.key, spent, brief.provenance.attempts)
                item.status, item.brief, item.data, item.tokens = "done", brief, None, spent.total_tokens
        else:
            assert outcome.error is not None
            item.status, item.error = "failed", _error_text(outcome.error, secrets)
            ledger.finish_failed(item.key, item.error)
        finished += 1
        reporter.document(item, finished, total)

    try:
        await run_batch(
            [FileSource(item.path, item.data or b"") for item in todo],
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


def _write_digest(out: Path, plan: Plan, run_id: str, warnings: list[str]) -> str:
    done = [item for item in plan.items if item.status in ("reused", "done") and item.brief is not None]
    entries = [
        (
            BriefLink(
                id=item.id,
                title=item.brief.title or item.id,
                json_path=item.json_path,
                md_path=item.md_path,
                source_path=str(item.path),
                engine=item.brief.provenance.engine,
                model=item.brief.provenance.model,
            ),
            item.brief,
        )
        for item in done
    ]
    failed = [FailedDocument(path=str(p), error=e) for p, e in plan.unreadable]
    failed += [FailedDocument(path=str(i.path), error=i.error or "failed") for i in plan.items if i.status == "failed"]
    failed += [
        FailedDocument(path=str(i.path), error="not started in this run; pending for the next")
        for i in plan.items
        if i.status == "pending"
    ]
    digest = build_digest(entries, run_id=run_id, failed=failed)
    write_atomically(out / DIGEST_JSON, digest.model_dump_json(indent=2) + "\n")
    write_atomically(out / DIGEST_MD, digest.to_markdown())
    pages = {link.id: _html_path(item) for (link, _), item in zip(entries, done) if (out / _html_path(item)).exists()}
    try:
        html = render_digest_html(digest, brief_pages=pages)
    except Exception as exc:  # noqa: BLE001 - the review page must not cost the night's briefs and digest
        warnings.append(f"{DIGEST_HTML} not written: {type(exc).__name__}: {exc}")
    else:
        write_atomically(out / DIGEST_HTML, html)
    return DIGEST_MD


def run_nightly(options: NightlyOptions, reporter: Reporter | None = None) -> RunReport:
    """Run the nightly batch over `options.inputs` into `options.out`; the report says how it went.

    Raises InputError / ConfigError (bad usage) before any document runs. Ctrl-C or SIGTERM ends the
    run early with status "interrupted": in-flight documents stay pending, the ledger stays consistent.
    """
    reporter = reporter or SilentReporter()
    _check_options(options)
    out = options.out
    paths = discover(options.inputs, out, options.since)
    identity = engine_identity(options.settings)
    started_at = datetime.now(timezone.utc)
    began = time.perf_counter()
    try:
        report = _locked_run(options, paths, identity, started_at, began, reporter)
    except BaseException:
        reporter.end(None)  # the run failed before it could report: still take the progress bar down
        raise
    reporter.end(report)
    return report


def _locked_run(
    options: NightlyOptions,
    paths: list[Path],
    identity: EngineIdentity,
    started_at: datetime,
    began: float,
    reporter: Reporter,
) -> RunReport:
    out = options.out
    with run_lock(out):
        for folder in (out, out / BRIEFS_DIR, out / RUNS_DIR):
            remove_stale_temporaries(folder)
        with Ledger(out / LEDGER_NAME) as ledger:
            run_id = new_run_id(started_at)
            ledger.begin_run(run_id, identity.engine, identity.model, identity.prompt_version)
            plan = make_plan(paths, identity, ledger, out, options.force)
            todo = plan.todo
            ledger.enqueue([(i.key, str(i.path), i.json_path, i.md_path) for i in todo], run_id)
            to_run = len(todo) if options.max_docs is None else min(len(todo), options.max_docs)
            reporter.begin(plan, identity, to_run)
            budget = _Budget(options.max_docs, options.token_budget)
            interrupted = False
            batch_began = time.perf_counter()
            try:
                if todo:
                    asyncio.run(_execute(todo, options, ledger, run_id, budget, reporter))
            except (KeyboardInterrupt, asyncio.CancelledError):
                interrupted = True
            budget.seconds = time.perf_counter() - batch_began
            for item in todo:
                if item.status == "todo":
                    item.status = "pending"
            warnings: list[str] = []
            digest = None if interrupted else _write_digest(out, plan, run_id, warnings)
            report = _report(options, identity, plan, run_id, started_at, began, interrupted, budget, digest, warnings)
            report_path = f"{RUNS_DIR}/{run_id}.json"
            write_atomically(out / report_path, report.model_dump_json(indent=2) + "\n")
            ledger.end_run(
                run_id, interrupted=interrupted, documents=report.counts.documents, done=report.counts.done,
                failed=report.counts.failed, pending=report.counts.pending, total_tokens=report.usage.total_tokens,
                report_path=report_path,
            )
    return report


def _check_options(options: NightlyOptions) -> None:
    if options.concurrency is not None and not 1 <= options.concurrency <= 64:
        raise ConfigError(f"--concurrency {options.concurrency}: give a number from 1 to 64")
    if options.max_docs is not None and options.max_docs < 1:
        raise ConfigError(f"--max-docs {options.max_docs}: give at least 1")
    if options.doc_timeout is not None and options.doc_timeout <= 0:
        raise ConfigError(f"--doc-timeout {options.doc_timeout:g}: give a number of seconds above 0")
    if options.token_budget is not None and options.token_budget < 1:
        raise ConfigError(f"--token-budget {options.token_budget}: give at least 1")
    if options.out.exists() and not options.out.is_dir():
        raise ConfigError(f"--out {options.out}: is a file; give a folder (created if missing)")


def _report(
    options: NightlyOptions,
    identity: EngineIdentity,
    plan: Plan,
    run_id: str,
    started_at: datetime,
    began: float,
    interrupted: bool,
    budget: _Budget,
    digest: str | None,
    warnings: list[str],
) -> RunReport:
    documents = [
        DocumentReport(path=str(item.path), brief=item.json_path, status=item.status, seconds=round(item.seconds, 3),
                       tokens=item.tokens, attempts=item.attempts, error=item.error)
        for item in plan.items
    ]
    unreadable = [DocumentReport(path=str(p), brief="", status="failed", error=e) for p, e in plan.unreadable]
    failures = [d for d in documents if d.status == "failed"] + unreadable
    count = {status: sum(1 for d in documents if d.status == status) for status in ("reused", "done", "pending")}
    stopped = "interrupted" if interrupted else budget.stopped if count["pending"] else None
    return RunReport(
        run_id=run_id,
        status="interrupted" if interrupted else "finished",
        started_at=started_at,
        finished_at=datetime.now(timezone.utc),
        seconds=round(time.perf_counter() - began, 3),
        batch_seconds=round(budget.seconds, 3),
        out=str(options.out),
        engine=identity.engine,
        model=identity.model,
        prompt_version=identity.prompt_version,
        concurrency=effective_concurrency(identity.engine, options.concurrency),
        max_docs=options.max_docs,
        token_budget=options.token_budget,
        force=options.force,
        since=options.since,
        stopped=stopped,
        counts=Counts(
            inputs=len(plan.items) + len(plan.duplicates) + len(plan.unreadable),
            documents=len(plan.items) + len(plan.unreadable),
            reused=count["reused"],
            done=count["done"],
            failed=len(failures),
            pending=count["pending"],
            duplicates=len(plan.duplicates),
        ),
        usage=budget.usage,
        requests=budget.requests,
        failures=failures,
        duplicates={str(path): str(same) for path, same in plan.duplicates},
        documents=documents,
        digest=digest,
        warnings=warnings,
    )


def reporter_for(out: Path, *, tty: bool, quiet: bool = False) -> Reporter:
    """A progress bar on a terminal, one plain line per document otherwise (cron, systemd, pipes)."""
    if tty and not quiet:
        return RichReporter(out)
    return PlainReporter(out, quiet=quiet)
