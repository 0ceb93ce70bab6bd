"""A Batch API run's work on each document, as plain functions that worker processes can run.

Submitting a document reads it, cleans it and builds its request bodies; collecting one reads it back,
grounds, checks and verifies the model's answers (`summarizer.api.assemble`, as request by request) and
writes the brief's files. Both cost milliseconds of CPU per document and touch nothing shared: the
ledger, the store and the report stay with the run (`summarizer.batch_api.run`), which spreads these
over worker processes (`summarizer.batch_api.workers`) and records what they return, in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from summarizer import intake, language
from summarizer.api import assemble
from summarizer.batch_api import carry
from summarizer.batch_api.requests import DocumentLines, document_lines
from summarizer.config import Settings
from summarizer.engines import Engine, EngineResult
from summarizer.errors import ConfigError, SummarizerError
from summarizer.intake import Document, from_fetched, from_file_bytes
from summarizer.language import Identified
from summarizer.ledger import DocKey, error_line
from summarizer.nightly.discovery import Input
from summarizer.nightly.plan import DoneBrief, Item, content_hash
from summarizer.redaction import secrets_of
from summarizer.schema import Brief, Usage
from summarizer.stories import terms
from summarizer.text import CleanText, clean

logger = logging.getLogger(__name__)

# Writes a brief's files without making them durable: the run syncs once for many (`atomic.sync_all`).
WriteBrief = Callable[[Item, Brief], None]


@runtime_checkable
class BatchEngine(Protocol):
    """An engine whose requests a Batch API can carry (the llm engine)."""

    def batch_bodies(self, clean: CleanText, settings: Settings) -> list[dict[str, Any]]: ...

    def batch_result(self, clean: CleanText, answers: Sequence[dict[str, Any]], settings: Settings) -> EngineResult: ...


@dataclass(frozen=True)
class Context:
    """What every document's work needs, set up once per run (and inherited by forked workers)."""

    settings: Settings
    engine: Engine
    reason: str  # why this engine: the brief's provenance says it
    write_brief: WriteBrief
    # Where the submit run leaves what it read of each document for the collect run (`carry`); None: nowhere.
    records: Path | None = None

    def share(self, inputs: Iterable[Input] = (), *, settling: bool = False) -> None:
        """Load what every document's work reads, once, before worker processes fork and share it (the
        language model: 70 MB that each worker would otherwise load on its own; the engine's client
        libraries, prompt templates and schema: a second of CPU that each worker paid on its first document;
        what reading `inputs`, the documents about to be read, needs: the HTML and Markdown readers).
        `settling`: answers are to be settled, which counts each brief's words (`stories.terms`), and
        needs no language model: the submit run recorded each document's language with what it read
        (`carry`); a worker that finds no record loads the model itself."""
        if self.settings.language is None and not settling:
            language.load()
        self.engine.warm_up(self.settings)
        intake.warm_up(inputs)
        if settling:
            terms.load()

    @cached_property
    def batch_engine(self) -> BatchEngine:
        # Checked once: isinstance against a runtime-checkable Protocol costs ~50 µs, for every document.
        assert isinstance(self.engine, BatchEngine)  # check_options refused any other engine
        return self.engine


@dataclass(frozen=True)
class Settled:
    """What became of a document's answers: its brief written, sent back to pending (`returned`, with the
    reason), or `gone` (its bytes changed or vanished since it was submitted)."""

    outcome: Literal["written", "returned", "gone"]
    reason: str | None = None
    # A written brief: what the run keeps of it (not the Brief, ~50 KB as objects), and what it spent.
    done: DoneBrief | None = None
    # The DoneBrief on its way from a worker process: `compact(done)`, `done` None (`_Night.settled` builds it).
    sent: Any = None
    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    model: str | None = None


def read_back(item: Item, key: DocKey, settings: Settings, records: Path | None = None) -> Read | None:
    """The document as it was submitted under `key`, or None when its bytes changed or are gone since.
    With `records`, what the submit run recorded of those bytes stands in for reading them again."""
    if item.fetched is not None:  # a URL this run fetched, and found with the submitted content
        return Read(from_fetched(item.fetched, max_chars=settings.max_chars))
    if not isinstance(item.path, Path):  # a URL of an earlier night that is no longer an input
        return None
    data = item.data if item.key == key else None  # the bytes this run's plan hashed to item.key
    if data is None:
        data = bytes_as_submitted(item.path, key)
        if data is None:
            return None
    if records is not None:
        carried = carry.load(records, key, item.path, settings.max_chars)
        if carried is not None:
            return Read(*carried)
    return Read(from_file_bytes(data, item.path, max_chars=settings.max_chars))


def bytes_as_submitted(path: Path, key: DocKey) -> bytes | None:
    """The file's bytes if they still hash to `key`, else None (changed, or gone)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        logger.info("%s: cannot be read back (%s)", path, exc)
        return None
    return data if content_hash(data) == key.content_hash else None


@dataclass(frozen=True)
class Read:
    """A document read back, and its language when the submit run recorded it (else None: identify it)."""

    doc: Document
    language: Identified | None = None


def request_lines(context: Context, item: Item) -> DocumentLines | str:
    """The document's requests as JSONL lines, or why it cannot be sent (its run fails it).
    A ConfigError (the engine cannot build requests at all) stops the run instead."""
    try:
        read = read_back(item, item.key, context.settings)
        if read is None:
            raise SummarizerError(f"{item.path}: changed or vanished while the run read it")
        doc = read.doc
        cleaned = clean(doc.text)
        if not cleaned.text.strip():
            raise SummarizerError(
                f"{doc.name}: has no article text once page boilerplate (navigation, links) is removed"
            )
        lines = document_lines(item.key, context.batch_engine.batch_bodies(cleaned, context.settings))
        if context.records is not None:
            # The language as `assemble` will ask for it (the bodies asked already: it is cached).
            found = None if context.settings.language else language.language_of(cleaned.text)
            carry.keep(context.records, item.key, doc, context.settings.max_chars, found)
        return lines
    except ConfigError:
        raise
    except SummarizerError as exc:
        return str(exc)


def settle_answers(context: Context, item: Item, key: DocKey, answers: list[dict[str, Any]], batch_id: str,
                   out: Path) -> Settled:
    """Ground, check and verify the answers for the document submitted under `key`; write its brief."""
    read = read_back(item, key, context.settings, context.records)
    if read is None:
        # The answer is for bytes that are gone; a changed file is a new key, queued on its own.
        return Settled("gone", reason=f"{item.path} changed or vanished after it was submitted; its answer is for "
                                      "the old text")
    doc = read.doc
    try:
        cleaned = clean(doc.text)
        result = context.batch_engine.batch_result(cleaned, answers, context.settings)
        brief = assemble(doc, cleaned, result, context.settings, context.engine,
                         f"{context.reason}; Batch API {batch_id}",
                         identified=None if context.settings.language else read.language)
    except (ValueError, SummarizerError) as exc:
        return Settled("returned", reason=error_line(str(exc), secrets_of(context.settings)))
    try:
        context.write_brief(item, brief)
    except OSError as exc:
        return Settled("returned", reason=f"cannot write {out / item.json_path}: {exc.strerror or exc}")
    spent = brief.provenance
    # Its words counted here, in parallel with the other documents', rather than at the run's serial end.
    done = DoneBrief.of(brief, counted=True)
    return Settled("written", done=done, usage=spent.usage, attempts=spent.attempts, model=spent.model)
