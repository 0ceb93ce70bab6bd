"""One nightly run through the Batch API: resume, collect, submit, report (see the package's docstring).

Called by `summarizer.nightly.run` in place of the per-request batch, with the plan it made against the
ledger and a function that writes a brief's files; everything else a brief goes through (grounding,
support checks, cross-check, verification) is `summarizer.api.assemble`, as for the per-request path.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import openai

from summarizer.api import assemble, choose_engine
from summarizer.atomic import TEMP_SUFFIX, remove_stale_temporaries, sync_all
from summarizer.batch_api import collect, reconcile
from summarizer.batch_api.client import api_error, batch_client
from summarizer.batch_api.costs import Prices, cost, load_prices
from summarizer.batch_api.options import BatchApiOptions
from summarizer.batch_api.report import BatchApiReport, DocumentCost, InFlight, Returned
from summarizer.batch_api.requests import DocumentLines, check_unique, document_lines, split_files
from summarizer.batch_api.store import DocEntry, DuplicateSubmission, Job, Store, doc_id
from summarizer.config import Settings
from summarizer.engines import Engine, EngineResult
from summarizer.errors import ConfigError, SummarizerError
from summarizer.intake import Document, from_fetched, from_file_bytes
from summarizer.fetch import looks_like_url
from summarizer.ledger import DocKey, Ledger, Status, error_line
from summarizer.nightly.options import NightlyOptions
from summarizer.nightly.discovery import Input
from summarizer.nightly.plan import DoneBrief, Item, Plan, content_hash
from summarizer.nightly.progress import Reporter
from summarizer.redaction import secrets_of
from summarizer.schema import Brief, Usage
from summarizer.text import CleanText, clean

BATCH_DIR = "batch_api"  # request files between their intent and their upload, in the output folder
logger = logging.getLogger(__name__)

# Writes a brief's files without making them durable: the caller syncs once for many (`sync_all`).
WriteBrief = Callable[[Item, Brief], None]
_RECORD_EVERY = 500  # briefs written between two syncs and ledger transactions


@runtime_checkable
class BatchEngine(Protocol):
    """An engine whose requests a Batch API can carry (the llm engine)."""

    def batch_bodies(self, clean: CleanText, settings: Settings) -> list[dict[str, Any]]: ...

    def batch_result(self, clean: CleanText, answers: Sequence[dict[str, Any]], settings: Settings) -> EngineResult: ...


def check_options(options: NightlyOptions) -> None:
    """ConfigError for what --batch-api cannot honour, before the run touches the ledger."""
    engine, _ = choose_engine(options.settings)
    if not isinstance(engine, BatchEngine):
        raise ConfigError(f"--batch-api needs an engine that sends chat requests (--engine llm), not {engine.name}")
    if options.token_budget is not None:
        raise ConfigError("--token-budget cannot bound --batch-api (tokens are known only when a batch ends); "
                          "use --max-docs")
    if options.settings.model_writes == "summary":
        raise ConfigError("--batch-api sends whole-brief requests: use --model-writes brief")
    if options.doc_timeout is not None:
        raise ConfigError("--doc-timeout does not apply to --batch-api (the provider has 24 h); drop it")


class _Night:
    """The state of one run's Batch API work."""

    def __init__(
        self,
        plan: Plan,
        todo: list[Item],
        options: NightlyOptions,
        ledger: Ledger,
        run_id: str,
        reporter: Reporter,
        write_brief: WriteBrief,
        warnings: list[str],
    ) -> None:
        assert options.batch_api is not None
        self.opts: BatchApiOptions = options.batch_api
        self.options = options
        self.settings = options.settings
        self.out = options.out
        self.ledger = ledger
        self.run_id = run_id
        self.reporter = reporter
        self.write_brief = write_brief
        self.warnings = warnings
        self.todo = todo
        self.items = {doc_id(item.key): item for item in plan.items}
        engine, reason = choose_engine(self.settings)
        assert isinstance(engine, BatchEngine)  # check_options
        self.engine: Engine = engine
        self.batch_engine: BatchEngine = engine
        self.reason = reason
        self.prices: Prices = load_prices(self.opts.prices)
        self.secrets = secrets_of(self.settings)
        self.usage = Usage()
        self.fallback_usage = Usage()
        self.costs: list[DocumentCost] = []
        self.returned: dict[str, Returned] = {}
        self.submitted: list[str] = []
        self.submitted_docs = 0
        self.collected: list[str] = []
        self.resumed = 0
        self.gave_up: list[Item] = []
        self.given_up: set[str] = set()
        self.finished = 0
        self.requests = 0
        self.written: list[tuple[Item, DocEntry, Brief]] = []  # briefs on disk, not yet recorded done

    # --- collect ---------------------------------------------------------------------------------

    def collect(self, store: Store, api: openai.OpenAI, job: Job) -> None:
        assert job.batch_id is not None
        batch = api.batches.retrieve(job.batch_id)
        if batch.status != job.batch_status:
            store.set_status(job.intent_id, batch.status)
        if batch.status not in collect.ENDED:
            return
        entries = store.documents(job.intent_id, "in_flight")
        results = collect.read_results(api, batch, {e.doc_id for e in entries})
        for entry in entries:
            answers = collect.document_answers(entry, results, batch)
            self.settle(store, entry, answers, batch.id)
            if len(self.written) >= _RECORD_EVERY:
                self.record(store)
        self.record(store)
        note = batch.status + (f"; {results.unknown} lines not ours" if results.unknown else "")
        store.set_collected(job.intent_id, note)
        self.collected.append(batch.id)

    def _item(self, entry: DocEntry) -> Item | None:
        item = self.items.get(entry.doc_id)
        if item is not None:
            return item
        # A document of an earlier night that is not among this run's inputs: its row says where it goes.
        row = self.ledger.get(entry.key)
        if row is None:
            return None
        path: Input = row.path if looks_like_url(row.path) else Path(row.path)
        return Item(path, entry.key, Path(row.brief_json).stem, row.brief_json, row.brief_md)

    def _document(self, item: Item, key: DocKey) -> Document | None:
        """The document as it was submitted, or None when its bytes changed or are gone since."""
        if item.fetched is not None:  # a URL this run fetched, and found with the submitted content
            return from_fetched(item.fetched, max_chars=self.settings.max_chars)
        if not isinstance(item.path, Path):  # a URL of an earlier night that is no longer an input
            return None
        data = item.data  # the bytes this run's plan hashed to item.key
        if data is None or item.key != key:
            try:
                data = item.path.read_bytes()
            except OSError as exc:
                logger.info("%s: cannot be read back (%s)", item.path, exc)
                return None
            if content_hash(data) != key.content_hash:
                return None
        return from_file_bytes(data, item.path, max_chars=self.settings.max_chars)

    def settle(self, store: Store, entry: DocEntry, answers: list[dict[str, Any]] | str, batch_id: str) -> None:
        item = self._item(entry)
        if item is None:
            store.settle(entry.doc_id, entry.intent_id, "failed", "no ledger row for this document")
            return
        if item.status is Status.reused:
            # Written and recorded done by a run killed before it could note it here.
            store.settle(entry.doc_id, entry.intent_id, "done")
            return
        if isinstance(answers, str):
            self.give_back(store, entry, item, answers)
            return
        doc = self._document(item, entry.key)
        if doc is None:
            # The answer is for bytes that are gone; a changed file is a new key, queued on its own.
            reason = f"{item.path} changed or vanished after it was submitted; its answer is for the old text"
            store.settle(entry.doc_id, entry.intent_id, "failed", reason)
            self.fail(item, reason)
            return
        try:
            cleaned = clean(doc.text)
            result = self.batch_engine.batch_result(cleaned, answers, self.settings)
            brief = assemble(doc, cleaned, result, self.settings, self.engine, f"{self.reason}; Batch API {batch_id}")
        except (ValueError, SummarizerError) as exc:
            self.give_back(store, entry, item, error_line(str(exc), self.secrets))
            return
        try:
            self.write_brief(item, brief)
        except OSError as exc:
            self.give_back(store, entry, item, f"cannot write {self.out / item.json_path}: {exc.strerror or exc}")
            return
        # Recorded done with the others of its group (`record`), once their files are durable.
        self.written.append((item, entry, brief))

    def record(self, store: Store) -> None:
        """The briefs written since the last call made durable (one sync) and recorded done (one transaction
        in the ledger, one in the store): a crash before this re-collects them from the provider's output
        file, which is still there, and pays nothing twice."""
        if not self.written:
            return
        sync_all()
        self.ledger.finish_done_many(
            [(item.key, brief.provenance.usage, brief.provenance.attempts) for item, _, brief in self.written]
        )
        store.settle_done([(entry.doc_id, entry.intent_id) for _, entry, _ in self.written])
        for item, entry, brief in self.written:
            spent = brief.provenance.usage
            item.status, item.done_brief, item.data, item.tokens, item.error = (
                Status.done, DoneBrief.of(brief), None, spent.total_tokens, None
            )
            item.fetched = None
            self.usage = self.usage + spent
            self.requests += brief.provenance.attempts
            self.costs.append(DocumentCost(path=str(item.path), brief=item.json_path,
                                           cost=cost(spent, brief.provenance.model or "", self.prices)))
            self.returned.pop(entry.doc_id, None)
            self._tell(item)
        self.written = []

    def give_back(self, store: Store, entry: DocEntry, item: Item, reason: str) -> None:
        store.settle(entry.doc_id, entry.intent_id, "returned", reason)
        self.ledger.back_to_pending(item.key, reason)
        if item.status is not Status.reused:
            item.status, item.error = Status.todo, reason
        count = store.returned_count(entry.doc_id)
        self.returned[entry.doc_id] = Returned(path=str(item.path), reason=error_line(reason), batches=count)

    def fail(self, item: Item, reason: str) -> None:
        self.ledger.finish_failed(item.key, reason)
        item.status, item.error, item.data = Status.failed, error_line(reason, self.secrets), None
        self._tell(item)

    def _tell(self, item: Item) -> None:
        self.finished += 1
        self.reporter.document(item, self.finished, max(self.finished, len(self.todo)))

    # --- submit ----------------------------------------------------------------------------------

    def submit(self, store: Store, api: openai.OpenAI) -> None:
        in_flight = store.in_flight()
        returned = store.returned()
        room = None if self.options.max_docs is None else self.options.max_docs - self.submitted_docs
        ready: list[DocumentLines] = []
        for item in self.todo:
            if item.status is not Status.todo or doc_id(item.key) in in_flight or doc_id(item.key) in self.given_up:
                continue
            came_back, last = returned.get(doc_id(item.key), (0, None))
            if came_back >= self.opts.max_attempts:
                self.gave_up.append(item)
                self.given_up.add(doc_id(item.key))
                item.error = f"came back from {came_back} batches (last: {last})"
                continue
            if room is not None and len(ready) >= room:
                break
            lines = self._lines(item)
            if lines is not None:
                ready.append(lines)
        files, too_large = split_files(ready, self.opts.max_requests_per_file, self.opts.max_bytes_per_file)
        for doc, why in too_large:
            self.fail(self._by_key(doc), f"too large for the Batch API ({why}); raise --chunk-chars or run it without "
                                         "--batch-api")
        for group in files:
            self._send_file(store, api, group)

    def _by_key(self, doc: DocumentLines) -> Item:
        return self.items[doc_id(doc.key)]

    def _lines(self, item: Item) -> DocumentLines | None:
        try:
            doc = self._document(item, item.key)
            if doc is None:
                raise SummarizerError(f"{item.path}: changed or vanished while the run read it")
            cleaned = clean(doc.text)
            if not cleaned.text.strip():
                raise SummarizerError(
                    f"{doc.name}: has no article text once page boilerplate (navigation, links) is removed"
                )
            return document_lines(item.key, self.batch_engine.batch_bodies(cleaned, self.settings))
        except ConfigError:
            raise
        except SummarizerError as exc:
            self.fail(item, str(exc))
            return None

    def _send_file(self, store: Store, api: openai.OpenAI, group: list[DocumentLines]) -> None:
        intent_id = f"{self.run_id}-{store.intent_count(self.run_id) + 1:03d}"
        lines = [line for doc in group for line in doc.lines]
        check_unique(lines)
        jsonl_path = f"{BATCH_DIR}/{intent_id}.jsonl"
        # The file first, then the intent that names it: a crash between leaves only a stray file.
        size = _write_lines(self.out / jsonl_path, lines)
        try:
            store.prepare(intent_id, self.run_id, jsonl_path, len(lines), size,
                          [(doc.key, len(doc.lines)) for doc in group])
        except DuplicateSubmission as exc:
            (self.out / jsonl_path).unlink(missing_ok=True)
            self.warnings.append(f"not submitted: {exc}")
            return
        self.ledger.start_many([doc.key for doc in group], self.run_id)
        for doc in group:
            self._by_key(doc).attempts += 1
        reconcile.send(store, api, store.job(intent_id), self.out, look_up=False)
        batch_id = store.job(intent_id).batch_id
        assert batch_id is not None
        self.submitted.append(batch_id)
        self.submitted_docs += len(group)

    # --- the run ---------------------------------------------------------------------------------

    def run(self) -> BatchApiReport:
        batch_dir = self.out / BATCH_DIR
        batch_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(batch_dir)
        with Store(self.ledger.path) as store, batch_client(self.settings) as api:
            doing = "resuming the intents a previous run left"
            error: str | None = None
            try:
                self._remove_strays(store, batch_dir)
                self.resumed = reconcile.resume(store, api, self.out)
                delay = self.opts.poll_first
                while True:
                    doing = "collecting finished batches"
                    for job in store.jobs(["submitted"]):
                        self.collect(store, api, job)
                    doing = "submitting pending documents"
                    self.submit(store, api)
                    if not self.opts.wait or not store.jobs(["prepared", "uploaded", "submitted"]):
                        break
                    time.sleep(delay)
                    delay = min(self.opts.poll_max, delay * 2)
            except openai.OpenAIError as exc:
                # What was recorded stands; the next run resumes from the ledger.
                error = str(api_error(exc, doing, self.settings))
                self.warnings.append(error)
            self._give_up()
            return self._report(store).model_copy(update={"error": error})

    def _remove_strays(self, store: Store, batch_dir: Path) -> None:
        wanted = {Path(job.jsonl_path).name for job in store.jobs(["prepared", "uploaded"])}
        for path in batch_dir.glob("*.jsonl"):
            if path.name not in wanted:
                path.unlink(missing_ok=True)

    def _give_up(self) -> None:
        if not self.gave_up:
            return
        if not self.opts.fallback:
            for item in self.gave_up:
                self.fail(item, f"{item.error}; run with --batch-fallback to send it request by request")
            return
        asyncio.run(self._fallback(self.gave_up))

    async def _fallback(self, items: list[Item]) -> None:
        from summarizer.batch import FileSource, Outcome, run_batch

        async def ended(outcome: Outcome) -> None:
            item = items[outcome.index]
            if outcome.brief is None:
                self.fail(item, f"request by request after the batches: {outcome.error}")
                return
            brief = outcome.brief
            try:
                await asyncio.to_thread(self.write_brief, item, brief)
            except OSError as exc:
                self.fail(item, f"cannot write {self.out / item.json_path}: {exc.strerror or exc}")
                return
            sync_all()
            self.ledger.finish_done(item.key, brief.provenance.usage, brief.provenance.attempts)
            item.status, item.done_brief, item.data, item.error = Status.done, DoneBrief.of(brief), None, None
            item.tokens = brief.provenance.usage.total_tokens
            self.fallback_usage = self.fallback_usage + brief.provenance.usage
            self.requests += brief.provenance.attempts
            self.costs.append(DocumentCost(path=str(item.path), brief=item.json_path,
                                           cost=cost(brief.provenance.usage, brief.provenance.model or "", self.prices,
                                                     discount=0.0)))
            self._tell(item)

        for item in items:
            self.ledger.start(item.key, self.run_id)
        await run_batch([i.fetched or FileSource(Path(i.path), i.data or b"") for i in items], self.settings,
                        concurrency=self.options.concurrency, on_outcome=ended)

    def _report(self, store: Store) -> BatchApiReport:
        flying = []
        for job in store.jobs(["prepared", "uploaded", "submitted"]):
            entries = store.documents(job.intent_id, "in_flight")
            where = f"in flight: {job.batch_id or job.intent_id} ({job.batch_status or job.state})"
            for entry in entries:
                item = self.items.get(entry.doc_id)
                if item is not None and item.status is Status.todo:
                    item.error = where
            flying.append(InFlight(batch_id=job.batch_id, intent_id=job.intent_id,
                                   status=job.batch_status or job.state, documents=len(entries),
                                   requests=job.requests))
        model = self.engine.identity(self.settings).model
        fallback = [i for i in self.gave_up if self.opts.fallback]
        return BatchApiReport(
            submitted_documents=self.submitted_docs,
            submitted_batches=self.submitted,
            resumed_intents=self.resumed,
            collected_batches=self.collected,
            in_flight=flying,
            returned=[r for d, r in self.returned.items() if self.items.get(d) is None
                      or self.items[d].status is not Status.done],
            gave_up=0 if self.opts.fallback else len(self.gave_up),
            fallback=len(fallback),
            cost=cost(self.usage, model, self.prices),
            fallback_cost=cost(self.fallback_usage, model, self.prices, discount=0.0) if fallback else None,
            usage=self.usage + self.fallback_usage,
            requests=self.requests,
            documents=self.costs,
        )


def _write_lines(path: Path, lines: Sequence[bytes]) -> int:
    """Write `lines` atomically (temporary file, fsync, rename) without joining them in memory: a file
    may be 200 MB. Returns its size."""
    tmp = path.with_name(f".{path.name}{TEMP_SUFFIX}")
    with tmp.open("wb") as handle:
        for line in lines:
            handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
        size = handle.tell()
    os.replace(tmp, path)
    return size


def run_batch_api(
    plan: Plan,
    todo: list[Item],
    options: NightlyOptions,
    ledger: Ledger,
    run_id: str,
    reporter: Reporter,
    write_brief: WriteBrief,
    warnings: list[str],
) -> BatchApiReport:
    """Resume, collect, submit (and with `wait`, poll until nothing is in flight); the Batch API's report.
    Items of `todo` end done, failed, or still `todo` (pending: in flight or returned)."""
    return _Night(plan, todo, options, ledger, run_id, reporter, write_brief, warnings).run()
