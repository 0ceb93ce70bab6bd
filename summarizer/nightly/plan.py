"""What a nightly run has to do: each distinct document keyed and named, reused from the ledger or queued.

A document's key is (content hash, engine, model, prompt version): a done row for that key whose brief
files are both present, readable and written by that engine is reused; anything else is queued to run.
Brief file names carry the key's engine identity too (`<slug>-<hash8>-<engine>-<identity6>`), so runs
with different engines, models or prompt versions keep their briefs side by side in one output folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from summarizer.api import choose_engine, fetch_url
from summarizer.config import Settings
from summarizer.digest import BriefGist
from summarizer.engines import Engine
from summarizer.engines import EngineIdentity as EngineKey
from summarizer.errors import InputError
from summarizer.fetch import Fetched
from summarizer.ledger import DocKey, Ledger, Row, Status
from summarizer.nightly.discovery import Input
from summarizer.schema import Brief
from summarizer.stories.features import StoryFeatures

BRIEFS_DIR = "briefs"
_SLUG_MAX = 48

T = TypeVar("T")


@dataclass(frozen=True)
class EngineIdentity:
    """The engine a run uses, why, and what besides the bytes decides a brief (the ledger key's other parts)."""

    chosen: Engine
    reason: str
    key: EngineKey

    @property
    def engine(self) -> str:
        return self.key.engine

    @property
    def model(self) -> str:
        return self.key.model

    @property
    def prompt_version(self) -> str:
        return self.key.prompt_version


def engine_identity(settings: Settings) -> EngineIdentity:
    """The engine `settings` select, its model and its prompt (or rules) version, without running it."""
    engine, reason = choose_engine(settings)
    return EngineIdentity(engine, reason, engine.identity(settings))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def slugify(text: str) -> str:
    """A file-name-safe, lower-case ASCII slug; 'document' when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:_SLUG_MAX].rstrip("-") or "document"


def identity_tag(key: DocKey) -> str:
    """'<engine>-<6 hex>': the engine by name, and a hash of its whole identity (engine, model, prompt)."""
    identity = hashlib.sha256("\0".join((key.engine, key.model, key.prompt_version)).encode("utf-8"))
    return f"{slugify(key.engine)}-{identity.hexdigest()[:6]}"


def brief_id(path: Input, key: DocKey) -> str:
    return f"{slugify(_stem(path))}-{key.content_hash[:8]}-{identity_tag(key)}"


def _stem(path: Input) -> str:
    """A file's stem; a URL's last path segment without its suffix, else its host."""
    if isinstance(path, Path):
        return path.stem
    parts = urlsplit(path)
    last = PurePosixPath(parts.path).stem
    return last if last and last not in ("index", "default") else parts.hostname or "page"


@dataclass(frozen=True, slots=True)
class DoneBrief:
    """What the end of a run reads of a done brief: the digest's part and the story index's part. A run
    keeps these, made when each brief is written or reused, instead of the Briefs (a night may hold
    10,000 of them; a Brief with its source text costs ~50 KB as Python objects, this a few)."""

    digest: BriefGist
    story: StoryFeatures

    @classmethod
    def of(cls, brief: Brief, *, counted: bool = False) -> DoneBrief:
        return cls(BriefGist.of(brief), StoryFeatures.of(brief, counted=counted))


def compact(obj: Any) -> Any:
    """A DoneBrief (or any of its parts) as plain values for the pipe from a worker process: each
    dataclass a list of its class and its fields' values, the rest as it is. Plain tuples and lists
    unpickle in C, where a slotted frozen dataclass runs Python per object (`__setstate__`); and
    `Shared.build` makes the objects from these while it shares their parts, in one pass."""
    kind = type(obj)
    if kind is str or kind is float or kind is bool or kind is int or obj is None:
        return obj
    if kind is tuple:
        return tuple([compact(part) for part in obj])
    names = _FIELDS.get(kind)
    if names is None:
        if not dataclasses.is_dataclass(obj):
            if kind is list:  # a dataclass's form: no field may be a list
                raise TypeError("compact: a list is not a DoneBrief part")
            return obj
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(obj))
    return [kind, *[compact(getattr(obj, name)) for name in names]]


_FIELDS: dict[type, tuple[str, ...]] = {}


class Shared:
    """One copy of each equal string (and equal float-free part) of the DoneBriefs a run keeps.

    A night's briefs repeat much: actor names, units, what figures measure, the quotes of a syndicated
    article's copies. Each DoneBrief a worker process sends is unpickled into objects of its own, so
    10,000 of them would hold as many copies; `build` makes the DoneBrief (sent `compact`) of the copies
    seen first, and the fresh ones are freed. Parts holding a float are made but never swapped for an
    equal one (1.0 == 1 and 0.0 == -0.0, which JSON writes differently); enum members are kept as they are."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}
        self._atomic: dict[type, bool] = {}  # whether a value of a type that is not built may be swapped

    def share(self, obj: T) -> T:
        """`obj` made of shared parts."""
        made: T = self.build(compact(obj))
        return made

    def build(self, plain: Any) -> Any:
        """The object `compact` made `plain` of, made of shared parts."""
        return self._build(plain)[0]

    def _build(self, obj: Any) -> tuple[Any, bool]:
        """(obj made of shared parts, whether it may itself be swapped for an equal one)."""
        kind = type(obj)
        if kind is str:
            return self._seen.setdefault(obj, obj), True
        if kind is float or kind is bool:
            return obj, False
        if kind is tuple or kind is list:
            made_of = obj if kind is tuple else obj[1:]
            parts = []
            swappable = True
            for part in made_of:
                value, ok = self._build(part)
                parts.append(value)
                swappable = swappable and ok
            if kind is tuple:
                made = tuple(parts)
            else:
                made = obj[0](*parts)
                swappable = swappable and obj[0].__hash__ is not None
            return (self._seen.setdefault(made, made), True) if swappable else (made, False)
        atomic = self._atomic.get(kind)
        if atomic is None:
            # Enum members are kept as the members they are (a str enum equals its value).
            atomic = self._atomic[kind] = obj is None or kind is int or kind is bytes or isinstance(obj, Enum)
        return obj, atomic


@dataclass
class Item:
    """One distinct document of this run."""

    path: Input  # a file, or the URL as given
    key: DocKey
    id: str
    json_path: str  # relative to the output folder
    md_path: str
    data: bytes | None = None  # kept only while the document still has to run
    fetched: Fetched | None = None  # a URL's answer, likewise
    done_brief: DoneBrief | None = None  # what the story index and the digest read of a done brief
    status: Status = Status.todo
    error: str | None = None
    seconds: float = 0.0
    tokens: int = 0
    attempts: int = 0
    failures: int = 0  # failed attempts in a row, before this run


@dataclass
class Plan:
    items: list[Item]
    unreadable: list[tuple[Input, str]] = field(default_factory=list)
    duplicates: list[tuple[Input, Input]] = field(default_factory=list)  # (path, same content as)

    @property
    def todo(self) -> list[Item]:
        return [item for item in self.items if item.status is Status.todo]


def _load_done(row: Row, out: Path) -> Brief | None:
    """The brief a done row points to, or None when a file is missing, unreadable or another engine's (redo it).

    Before brief names carried the engine identity, a run with another engine overwrote the same files:
    such a file is that engine's brief, not this row's.
    """
    json_file, md_file = out / row.brief_json, out / row.brief_md
    if not md_file.is_file():
        return None
    try:
        brief = Brief.model_validate_json(json_file.read_bytes())
    except (OSError, ValueError):
        return None
    written_by = (brief.provenance.engine, brief.provenance.prompt_version)
    return brief if written_by == (row.key.engine, row.key.prompt_version) else None


def make_plan(
    paths: Sequence[Input],
    identity: EngineIdentity,
    ledger: Ledger,
    out: Path,
    force: bool,
    settings: Settings | None = None,
    quarantine_after: int | None = None,
) -> Plan:
    """Each input read (a URL fetched) and hashed once: reused from the ledger, queued, (after
    `quarantine_after` failures in a row) quarantined, or unreadable."""
    settings = settings or Settings()
    rows = ledger.rows_for(identity.engine, identity.model, identity.prompt_version)
    plan = Plan(items=[])
    by_hash: dict[str, Item] = {}
    for path in paths:
        fetched = None
        if isinstance(path, str):
            # Fetched here so the ledger can key the page by what it holds today: an unchanged page is reused.
            try:
                fetched = fetch_url(path, settings)
            except InputError as exc:
                plan.unreadable.append((path, str(exc).removeprefix(f"{path}: ")))
                continue
            data = fetched.data
        elif not path.is_file():
            # Reading a named pipe would wait for a writer forever.
            plan.unreadable.append((path, "is not a regular file (a named pipe or device); move it out of the inbox"))
            continue
        else:
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
            item = Item(path, key, stem, row.brief_json, row.brief_md, done_brief=DoneBrief.of(done),
                        status=Status.reused,
                        tokens=row.usage.total_tokens, attempts=row.attempts)
        elif (row is not None and row.status is Status.failed and quarantine_after is not None
              and row.failures >= quarantine_after):
            item = Item(path, key, Path(row.brief_json).stem, row.brief_json, row.brief_md,
                        status=Status.quarantined, error=row.last_error, attempts=row.attempts,
                        failures=row.failures)
        else:
            stem = brief_id(path, key)
            item = Item(path, key, stem, f"{BRIEFS_DIR}/{stem}.json", f"{BRIEFS_DIR}/{stem}.md", data=data,
                        fetched=fetched, attempts=row.attempts if row else 0, failures=row.failures if row else 0)
        by_hash[digest] = item
        plan.items.append(item)
    return plan
