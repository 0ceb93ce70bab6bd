"""One nightly run through the Batch API: resume, collect, submit, report (see the package's docstring).

Called by `summarizer.nightly.run` in place of the per-request batch, with the plan it made against the
ledger and a function that writes a brief's files; everything else a brief goes through (grounding,
support checks, cross-check, verification) is `summarizer.api.assemble`, as for the per-request path.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

import openai

from summarizer.api import choose_engine
from summarizer.atomic import remove_stale_temporaries, sync_all
from summarizer.batch_api import carry, collect, reconcile
from summarizer.batch_api.client import api_error, batch_client
from summarizer.batch_api.costs import Prices, cost, load_prices
from summarizer.batch_api.options import BatchApiOptions
from summarizer.batch_api.report import BatchApiReport, DocumentCost, InFlight, Returned
from summarizer.batch_api.requests import RequestFile, too_large
from summarizer.batch_api.store import DocEntry, DuplicateSubmission, Job, Store, doc_id
from summarizer.batch_api.work import (
    BatchEngine, Context, Settled, WriteBrief, bytes_as_submitted, request_lines, settle_answers,
)
from summarizer.batch_api.workers import ordered_map, processes_for
from summarizer.engines import Engine
from summarizer.errors import ConfigError
from summarizer.fetch import looks_like_url
from summarizer.heap import give_back
from summarizer.ledger import DocKey, Ledger, Status, error_line
from summarizer.nightly.options import NightlyOptions
from summarizer.nightly.discovery import Input
from summarizer.nightly.plan import DoneBrief, Item, Plan, Shared, compact
from summarizer.nightly.progress import Reporter
from summarizer.redaction import secrets_of
from summarizer.schema import Usage

BATCH_DIR = "batch_api"  # request files between their intent and their upload, in the output folder
_RECORD_EVERY = 500  # briefs written between two syncs and ledger transactions


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
        self.engine: Engine = engine
        self.records = self.out / BATCH_DIR / carry.FOLDER  # what submit runs read, for collect runs
        self.context = Context(self.settings, engine, reason, write_brief, self.records)
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
        self.written: list[tuple[Item, DocEntry, Settled]] = []  # briefs on disk, not yet recorded done
        self.shared = Shared()  # the strings the received DoneBriefs have in common, one copy each

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
        ready: list[tuple[DocEntry, Item]] = []
        for entry in entries:
            item = self._item(entry)
            if item is None:
                store.settle(entry.doc_id, entry.intent_id, "failed", "no ledger row for this document")
            elif item.status is Status.reused:
                # Written and recorded done by a run killed before it could note it here.
                store.settle(entry.doc_id, entry.intent_id, "done")
            else:
                ready.append((entry, item))
        for _, item in ready:
            if item.fetched is None:
                # The worker reads the file back (and checks its hash): its bytes need not stay in this
                # process, nor be in the heap that the workers' fork inherits.
                item.data = None
        # Each document's answers parsed as the workers take it (a window's worth at a time, not the batch's).
        payloads = ((item, entry.key, collect.answer_lines(entry, results, batch)) for entry, item in ready)
        work = partial(_settle, self.context, batch.id, self.out)
        with contextlib.closing(ordered_map(work, payloads, self._processes(len(ready), settling=True))) as settled_all:
            for (entry, item), settled in zip(ready, settled_all):
                self.settled(store, entry, item, settled)
                if len(self.written) >= _RECORD_EVERY:
                    self.record(store)
        self.record(store)
        note = batch.status + (f"; {results.unknown} lines not ours" if results.unknown else "")
        store.set_collected(job.intent_id, note)
        self.collected.append(batch.id)

    def _processes(self, documents: int, reading: Iterable[Input] = (), *, settling: bool = False) -> int:
        """Worker processes for `documents` (which read `reading` from scratch, and with `settling` settle
        answers), the context shared first."""
        processes = processes_for(documents, self.options.concurrency)
        if processes > 1:
            self.context.share(reading, settling=settling)
            # Pages freed but kept would be inherited by the workers, then copied when this process
            # reuses them: both sides would pay for them.
            give_back()
        return processes

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

    def settled(self, store: Store, entry: DocEntry, item: Item, settled: Settled) -> None:
        if settled.outcome == "gone":
            assert settled.reason is not None
            store.settle(entry.doc_id, entry.intent_id, "failed", settled.reason)
            self.fail(item, settled.reason)
        elif settled.outcome == "returned":
            assert settled.reason is not None
            self.give_back(store, entry, item, settled.reason)
        else:
            # Recorded done with the others of its group (`record`), once their files are durable. Kept
            # until the digest, each made of the copies of strings that earlier briefs already brought.
            settled = dataclasses.replace(settled, done=self.shared.build(settled.sent), sent=None)
            self.written.append((item, entry, settled))

    def record(self, store: Store) -> None:
        """The briefs written since the last call made durable (one sync) and recorded done (one transaction
        in the ledger, one in the store): a crash before this re-collects them from the provider's output
        file, which is still there, and pays nothing twice."""
        if not self.written:
            return
        sync_all()
        self.ledger.finish_done_many([(item.key, done.usage, done.attempts) for item, _, done in self.written])
        store.settle_done([(entry.doc_id, entry.intent_id) for _, entry, _ in self.written])
        for item, entry, done in self.written:
            item.status, item.done_brief, item.data, item.tokens, item.error = (
                Status.done, done.done, None, done.usage.total_tokens, None
            )
            item.fetched = None
            self.usage = self.usage + done.usage
            self.requests += done.attempts
            self.costs.append(DocumentCost(path=str(item.path), brief=item.json_path,
                                           cost=cost(done.usage, done.model or "", self.prices)))
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
        candidates: list[Item] = []
        for item in self.todo:
            if item.status is not Status.todo or doc_id(item.key) in in_flight or doc_id(item.key) in self.given_up:
                continue
            came_back, last = returned.get(doc_id(item.key), (0, None))
            if came_back >= self.opts.max_attempts:
                self.gave_up.append(item)
                self.given_up.add(doc_id(item.key))
                item.error = f"came back from {came_back} batches (last: {last})"
                continue
            candidates.append(item)
        if room is not None and room <= 0:
            return
        # Built by the workers in order and written as they come; a document that cannot be sent is failed
        # and the next one taken.
        file: RequestFile | None = None
        taken = 0
        processes = self._processes(len(candidates), (item.path for item in candidates))
        with contextlib.closing(ordered_map(partial(request_lines, self.context), candidates, processes)) as built:
            for item, lines in zip(candidates, built):
                if room is not None and taken >= room:
                    break
                if isinstance(lines, str):
                    self.fail(item, lines)
                    continue
                why = too_large(lines, self.opts.max_requests_per_file, self.opts.max_bytes_per_file)
                if why is not None:
                    self.fail(item, f"too large for the Batch API ({why}); raise --chunk-chars or run it without "
                                    "--batch-api")
                    continue
                if file is not None and not file.fits(lines):
                    self._send_file(store, api, file)
                    file = None
                if file is None:
                    intent_id = f"{self.run_id}-{store.intent_count(self.run_id) + 1:03d}"
                    file = RequestFile(self.out / BATCH_DIR / f"{intent_id}.jsonl", self.opts.max_requests_per_file,
                                       self.opts.max_bytes_per_file)
                file.add(lines)
                taken += 1
        if file is not None:
            self._send_file(store, api, file)
        carry.close()  # the pack this process wrote, if it read documents itself (a few: no workers)

    def _send_file(self, store: Store, api: openai.OpenAI, file: RequestFile) -> None:
        # The file first, then the intent that names it: a crash between leaves only a stray file.
        file.close()
        intent_id = file.path.stem
        jsonl_path = f"{BATCH_DIR}/{file.path.name}"
        try:
            store.prepare(intent_id, self.run_id, jsonl_path, file.requests, file.size, file.documents)
        except DuplicateSubmission as exc:
            file.path.unlink(missing_ok=True)
            self.warnings.append(f"not submitted: {exc}")
            return
        keys = [key for key, _ in file.documents]
        self.ledger.start_many(keys, self.run_id)
        for key in keys:
            self.items[doc_id(key)].attempts += 1
        reconcile.send(store, api, store.job(intent_id), self.out, look_up=False)
        batch_id = store.job(intent_id).batch_id
        assert batch_id is not None
        self.submitted.append(batch_id)
        self.submitted_docs += len(keys)

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
                carry.sweep(self.records, set(store.in_flight()))
                delay = self.opts.poll_first
                while True:
                    doing = "collecting finished batches"
                    collected = len(self.collected)
                    for job in store.jobs(["submitted"]):
                        self.collect(store, api, job)
                        give_back()  # what receiving its answers freed, before the next batch, index and digest
                    if len(self.collected) > collected:
                        # The records of the documents just settled, a pack at a time, here rather than one
                        # by one in the workers.
                        carry.sweep(self.records, set(store.in_flight()))
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

    async def _fallback(self, given: list[Item]) -> None:
        from summarizer.batch import BatchSource, FileSource, Outcome, run_batch

        async def ended(outcome: Outcome) -> None:
            item = sent[outcome.index]
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

        sources: list[BatchSource] = []
        sent: list[Item] = []
        for item in given:
            source: BatchSource | None = item.fetched
            if source is None:
                # Its bytes were let go when its batch's answers were collected (`collect`): read back.
                data = item.data if item.data is not None else bytes_as_submitted(Path(item.path), item.key)
                if data is None:
                    self.fail(item, f"{item.path} changed or vanished after it was submitted")
                    continue
                source = FileSource(Path(item.path), data)
            self.ledger.start(item.key, self.run_id)
            sources.append(source)
            sent.append(item)
        await run_batch(sources, self.settings, concurrency=self.options.concurrency, on_outcome=ended)

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


def _settle(context: Context, batch_id: str, out: Path, payload: tuple[Item, DocKey, list[bytes] | str]) -> Settled:
    """A document's answer lines settled, in a worker process: what it sends back is read (its answers)
    and made (its DoneBrief, `compact`) here, where the run's process, which takes every result in
    turn, would otherwise do it on the cores the workers use."""
    item, key, lines = payload
    if isinstance(lines, str):  # the batch did not answer it: why
        return Settled("returned", reason=lines)
    settled = settle_answers(context, item, key, collect.bodies(lines), batch_id, out)
    # The run shares its parts with the briefs it keeps as it builds it (`_Night.settled`).
    return dataclasses.replace(settled, done=None, sent=compact(settled.done)) if settled.done is not None else settled


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
