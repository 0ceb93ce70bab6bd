"""What a nightly run says while it runs: a progress bar on a terminal, plain lines for cron and journald."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from summarizer.ledger import Status
from summarizer.nightly.plan import EngineIdentity, Item, Plan
from summarizer.nightly.report import RunReport, quarantine_note
from summarizer.words import plural

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class Reporter(Protocol):
    def begin(self, plan: Plan, identity: EngineIdentity, to_run: int) -> None: ...
    def document(self, item: Item, position: int, total: int) -> None: ...
    def end(self, report: RunReport | None) -> None: ...


def _doc_line(item: Item, out: Path, position: int, total: int) -> str:
    head = f"[{position}/{total}]"
    if item.status is Status.done:
        tokens = f", {item.tokens:,} tokens" if item.tokens else ""
        return f"{head} done {item.path} -> {out / item.json_path} ({item.seconds:.1f} s{tokens})"
    return f"{head} FAILED {item.path}: {item.error}"


def _begin_line(plan: Plan, identity: EngineIdentity, to_run: int) -> str:
    reused = sum(1 for item in plan.items if item.status is Status.reused)
    quarantined = sum(1 for item in plan.items if item.status is Status.quarantined)
    held = f", {quarantined} quarantined" if quarantined else ""
    return (
        f"nightly: {plural(len(plan.items), 'document')}, {reused} already done{held}, {to_run} to do · "
        f"engine {identity.engine}, model {identity.model}, {identity.prompt_version}: {identity.reason}"
    )


def _end_lines(report: RunReport, say: Callable[[str], None]) -> None:
    for failure in report.failures:
        say(f"failed: {failure.path}: {failure.error}")
    for held in report.documents:
        if held.status is Status.quarantined:
            say(f"{held.path}: {quarantine_note(held.failures, held.error)}")
    for warning in report.warnings:
        say(f"warning: {warning}")
    for line in report.batch_api.lines() if report.batch_api else ():
        say(line)
    say(report.summary_line())


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
        if not self.quiet or item.status is not Status.done:
            self._say(_doc_line(item, self.out, position, total))

    def end(self, report: RunReport | None) -> None:
        if report is not None:
            _end_lines(report, self._say)


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
        if item.status is not Status.done:
            self.console.print(f"summarizer: {_doc_line(item, self.out, position, total)}", markup=False,
                               highlight=False, style="red")
        if self._progress is not None and self._task is not None:
            name = item.path.name if isinstance(item.path, Path) else item.path  # a file, or a URL
            self._progress.update(self._task, advance=1, description=name[:40])

    def end(self, report: RunReport | None) -> None:
        if self._progress is not None:
            self._progress.stop()
        if report is not None:
            _end_lines(report, lambda m: self.console.print(f"summarizer: {m}", markup=False, highlight=False))


class SilentReporter:
    """Says nothing: the default for callers of `run_nightly`, who read the RunReport instead."""

    def begin(self, plan: Plan, identity: EngineIdentity, to_run: int) -> None:
        pass

    def document(self, item: Item, position: int, total: int) -> None:
        pass

    def end(self, report: RunReport | None) -> None:
        pass


def reporter_for(out: Path, *, tty: bool, quiet: bool = False) -> Reporter:
    """A progress bar on a terminal, one plain line per document otherwise (cron, systemd, pipes)."""
    if tty and not quiet:
        return RichReporter(out)
    return PlainReporter(out, quiet=quiet)
