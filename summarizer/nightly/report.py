"""The run report (`runs/<run id>.json`): what a nightly run did with each document, and what it spent."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, Field

from summarizer.batch import effective_concurrency
from summarizer.batch_api.report import BatchApiReport
from summarizer.ledger import Status
from summarizer.nightly.options import NightlyOptions
from summarizer.nightly.plan import EngineIdentity, Plan
from summarizer.schema import Usage
from summarizer.words import plural


class DocumentReport(BaseModel):
    path: str
    brief: str = Field(description="The brief's JSON file, relative to the output folder.")
    status: Status = Field(description="done (this run), reused (done by an earlier run), failed or pending.")
    seconds: float = 0.0
    tokens: int = 0
    attempts: int = 0
    failures: int = Field(default=0, description="Failed attempts in a row (before this run, for a quarantined one).")
    error: str | None = None


class Counts(BaseModel):
    inputs: int = Field(0, description="Files found.")
    documents: int = Field(0, description="Distinct documents (files with the same bytes count once).")
    reused: int = Field(0, description="Done by an earlier run, nothing to do.")
    done: int = Field(0, description="Summarized by this run.")
    failed: int = Field(0, description="Failed in this run (retried by the next), unreadable files included.")
    quarantined: int = Field(0, description="Failed too many times in a row: not retried (--retry-failed does).")
    pending: int = Field(0, description="Left for the next run (--max-docs, --token-budget or interruption).")
    duplicates: int = 0
    skipped: dict[str, int] = Field(
        default_factory=dict, description="Files in the folders searched of a type not read, by suffix."
    )


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
    batch_api: BatchApiReport | None = Field(None, description="--batch-api: batches, in flight, tokens and cost.")

    @property
    def ok(self) -> bool:
        # A Batch API run whose provider call failed did not do its work (exit 1), though nothing is lost.
        failed_call = self.batch_api is not None and self.batch_api.error is not None
        return self.status == "finished" and self.counts.failed == 0 and not failed_call

    def summary_line(self) -> str:
        c = self.counts
        parts = [plural(c.documents, "document"), f"{c.done + c.reused} done ({c.done} new, {c.reused} already done)"]
        parts += [f"{c.failed} failed"] + ([f"{c.quarantined} quarantined"] if c.quarantined else [])
        parts += [f"{c.pending} pending"]
        if c.skipped:
            parts.append("skipped by type: " + ", ".join(f"{n} {suffix}" for suffix, n in c.skipped.items()))
        tokens = f" · {self.usage.total_tokens:,} tokens" if self.usage.total_tokens else ""
        stopped = f" · stopped: {self.stopped}" if self.stopped else ""
        digest = f" · digest {Path(self.out) / self.digest}" if self.digest else ""
        return f"nightly {self.status}: {', '.join(parts)}{tokens} · {self.seconds:.1f} s{stopped}{digest}"


def build_report(
    options: NightlyOptions,
    identity: EngineIdentity,
    plan: Plan,
    *,
    run_id: str,
    started_at: datetime,
    began: float,
    interrupted: bool,
    usage: Usage,
    requests: int,
    batch_seconds: float,
    budget_stopped: str | None,
    digest: str | None,
    warnings: list[str],
    batch_api: BatchApiReport | None = None,
    skipped: Mapping[str, int] | None = None,
) -> RunReport:
    """The report of a run that began at `began` (perf_counter); `budget_stopped` says why starting stopped."""
    documents = [
        DocumentReport(path=str(item.path), brief=item.json_path, status=item.status, seconds=round(item.seconds, 3),
                       tokens=item.tokens, attempts=item.attempts, failures=item.failures, error=item.error)
        for item in plan.items
    ]
    unreadable = [DocumentReport(path=str(p), brief="", status=Status.failed, error=e) for p, e in plan.unreadable]
    failures = [d for d in documents if d.status is Status.failed] + unreadable
    count = Counter(d.status for d in documents)
    stopped = "interrupted" if interrupted else budget_stopped if count[Status.pending] else None
    return RunReport(
        run_id=run_id,
        status="interrupted" if interrupted else "finished",
        started_at=started_at,
        finished_at=datetime.now(timezone.utc),
        seconds=round(time.perf_counter() - began, 3),
        batch_seconds=round(batch_seconds, 3),
        out=str(options.out),
        engine=identity.engine,
        model=identity.model,
        prompt_version=identity.prompt_version,
        concurrency=effective_concurrency(identity.chosen, options.concurrency),
        max_docs=options.max_docs,
        token_budget=options.token_budget,
        force=options.force,
        since=options.since,
        stopped=stopped,
        counts=Counts(
            inputs=len(plan.items) + len(plan.duplicates) + len(plan.unreadable),
            documents=len(plan.items) + len(plan.unreadable),
            reused=count[Status.reused],
            done=count[Status.done],
            failed=len(failures),
            quarantined=count[Status.quarantined],
            pending=count[Status.pending],
            duplicates=len(plan.duplicates),
            # Most common first, so the summary line names what matters; ties by name, so runs read alike.
            skipped=dict(sorted((skipped or {}).items(), key=lambda kind: (-kind[1], kind[0]))),
        ),
        usage=usage,
        requests=requests,
        failures=failures,
        duplicates={str(path): str(same) for path, same in plan.duplicates},
        documents=documents,
        digest=digest,
        warnings=warnings,
        batch_api=batch_api,
    )


def quarantine_note(failures: int, error: str | None) -> str:
    """Why a quarantined document was not run, as reports, logs and the digest say it."""
    return (f"quarantined after {failures} failed attempts in a row, not retried (--retry-failed tries again): "
            f"{error or 'failed'}")
