"""The digest: many Briefs folded into one morning read.

The shape below is a contract: `render/digest_markdown.py` and the HTML review page both render it,
and `digest.json`-style consumers may read it. Add fields; do not rename or remove them.

    Digest
      generated_at, run_id, documents (count of briefs), failed: [FailedDocument(path, error)]
      briefs:    [BriefLink]     every brief in the digest, in input order; `id` is the file stem
      stories:   [Story]         the top stories, most prominent first (at most `top`), each once
      actors:    [DigestActor]   actors merged across documents, most documents first
      figures:   [DigestFigure]  every figure of every brief, in brief order
      conflicts: [Conflict]      one quantity given different values by different documents or sources
      memory:    StoryMemory     (nightly runs) stories across nights: new / developing / quiet, with
                                 what changed since earlier runs; see summarizer.stories.models

Every entry names its brief by `BriefLink.id` (`brief` / `briefs` fields) and carries `EvidenceRef`s:
the quote, its character span in that brief's `source.text`, and where in the brief it sits
(`field`, `index`, e.g. ("figures", 3)). `BriefLink.json` / `.md` are paths relative to the folder
holding the digest, so links work from `digest.md` and `digest.html` alike.

How the pieces are decided (plain rules, no model):
- Actors are merged when a name or alias matches after normalising (case, accents, punctuation,
  leading titles such as "President" or "Dr."); a lone surname of a person joins the one person
  cluster whose full name ends with it, when there is exactly one.
- Across languages the same rule holds and nothing more: "North Korea" in an English brief and "Corée
  du Nord" in a French one are one actor only when some brief gives one name as an alias of the other
  (an English brief of a French article lists the article's own names as aliases). The digest translates
  no name itself, so names that differ and that no brief links stay separate actors, and a night with
  several source languages says so in `languages` and at the top of digest.md.
- Documents tell the same story when they share at least two actors and those are at least half of
  the actors of the one naming fewer; a story is listed once, through its brief that says the most,
  with the others in `coverage`.
- A story's score: 2 for each other document covering it, 1 for each further document sharing an actor
  with it, plus a tenth of its claims, figures and uncertainties (how much it says).
- A conflict is two figures that `verify` would call conflicting within one brief (the same unit,
  overlapping `measures`, compatible dates, different values of a similar size: 12,000 against
  10,000 troops, not 6 dead against 1,500 soldiers), taken from two documents telling the same story,
  or from two named sources within one document.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from datetime import datetime, timezone
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from summarizer.quantities import same_quantity, same_value, unit_key, values_differing
from summarizer.schema import ActorKind, Alignment, Brief, Evidence, Figure, Qualifier
from summarizer.stories.models import StoryMemory
from summarizer.text import fold
from summarizer.grouping import UnionFind

DIGEST_VERSION = "1.0"
DEFAULT_TOP = 10
_GROUP_CELLS = 1 << 18  # (brief, brief) pairs whose shared actors are counted at once (see _story_groups)
_COMPACT_AT = 1 << 18  # edges between figures held at once (see _Links)

_TITLE_WORDS = frozenset(
    "the mr mrs ms miss dr prof professor sir dame lord lady president vice prime minister secretary "
    "senator sen governor gov rep representative mayor chancellor premier king queen prince princess "
    "pope general gen colonel col captain capt lieutenant lt sergeant sgt judge justice chairman chairwoman "
    "ceo chief spokesman spokeswoman spokesperson officer director former".split()
)
_NON_WORD = re.compile(r"[^\w\s%$€£]+")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BriefLink(_Model):
    """One brief file pair, as the digest links to it."""

    id: str = Field(description="The brief's file stem, '<slug>-<hash8>-<engine>-<id6>'; unique within a digest.")
    title: str
    json_path: str = Field(description="The brief's JSON file, relative to the digest's folder.")
    md_path: str = Field(description="The brief's Markdown file, relative to the digest's folder.")
    source_path: str | None = Field(default=None, description="The document the brief was made from.")
    engine: str
    model: str | None = None


class EvidenceRef(_Model):
    """A quote in one brief: `briefs[brief].source.text[start:end] == quote` when aligned."""

    brief: str = Field(description="BriefLink.id")
    field: str = Field(description="summary, actors, claims, figures or uncertainties.")
    index: int = Field(description="The item's position in that field of the brief.")
    quote: str
    start: int | None = None
    end: int | None = None
    alignment: Alignment = Alignment.unaligned


class Story(_Model):
    brief: str = Field(description="BriefLink.id of the brief that tells the story best (says the most).")
    title: str
    summary: str
    score: float = Field(description="See the module docstring: coverage, shared actors and substance.")
    coverage: list[str] = Field(
        default_factory=list, description="Ids of the other briefs telling the same story (most actors in common)."
    )
    related: list[str] = Field(
        default_factory=list, description="Ids of other briefs, not covering this story, that share an actor."
    )
    shared_actors: list[str] = Field(default_factory=list, description="Merged actor names seen in other briefs too.")
    actors: list[str] = Field(default_factory=list, description="This brief's actor names, in brief order.")
    claims: int = 0
    figures: int = 0
    uncertainties: int = 0
    evidence: list[EvidenceRef] = Field(default_factory=list, description="The summary's evidence.")


class DigestActor(_Model):
    name: str = Field(description="The fullest name the documents use.")
    kind: ActorKind = ActorKind.other
    aliases: list[str] = Field(default_factory=list, description="Every other name used, across documents.")
    documents: int = Field(description="How many briefs name this actor.")
    languages: list[str] = Field(
        default_factory=list, description="The source languages (ISO 639-1) of the briefs naming it, sorted."
    )
    briefs: list[str] = Field(default_factory=list, description="BriefLink ids, in brief order.")
    roles: list[str] = Field(default_factory=list, description="Distinct roles the briefs give.")
    mentions: int = Field(default=0, description="Evidence quotes across all briefs.")
    evidence: list[EvidenceRef] = Field(default_factory=list, description="The first quote in each brief.")


class DigestFigure(_Model):
    brief: str = Field(description="BriefLink.id")
    index: int = Field(description="Position in the brief's figures.")
    text: str
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None
    measures: str | None = None
    qualifier: Qualifier = Qualifier.exact
    date: str | None = None
    source: str | None = None
    evidence: EvidenceRef | None = None


class Conflict(_Model):
    quantity: str = Field(description="What is measured, as the figures word it.")
    unit: str | None = None
    values: list[str] = Field(description="The differing values, as written, one per distinct value.")
    briefs: list[str] = Field(description="BriefLink ids involved, in brief order.")
    figures: list[DigestFigure] = Field(description="Every figure in the disagreement, with its evidence.")


class FailedDocument(_Model):
    path: str
    error: str


class Digest(_Model):
    digest_version: str = DIGEST_VERSION
    generated_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    run_id: str | None = None
    documents: int = 0
    languages: dict[str, int] = Field(
        default_factory=dict, description="Briefs per source language (ISO 639-1), most first."
    )
    failed: list[FailedDocument] = Field(default_factory=list)
    briefs: list[BriefLink] = Field(default_factory=list)
    stories: list[Story] = Field(default_factory=list)
    actors: list[DigestActor] = Field(default_factory=list)
    figures: list[DigestFigure] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    footer: list[str] = Field(default_factory=list, description="Lines about the run itself (the Batch API's cost).")
    memory: StoryMemory | None = Field(
        default=None, description="Story memory across nightly runs (new / developing / quiet stories)."
    )

    def brief(self, brief_id: str) -> BriefLink:
        """The BriefLink an entry points to."""
        for link in self.briefs:
            if link.id == brief_id:
                return link
        raise KeyError(brief_id)

    def json_chunks(self) -> Iterator[str]:
        """`model_dump_json(indent=2)`, the same text in pieces, for writing a large digest without holding
        its whole JSON (a night of 10,000 briefs makes ~90 MB of it): each entry of the long lists is dumped
        alone and indented into place."""
        rest = self.model_copy(update={name: [] for name in _STREAMED}).model_dump_json(indent=2)
        for name in _STREAMED:  # in the order of the fields
            marker = f'\n  "{name}": []'  # a top-level key: anything nested is indented further
            head, found, rest = rest.partition(marker)
            assert found, name
            yield head
            entries: list[BaseModel] = getattr(self, name)
            if not entries:
                yield marker
                continue
            yield f'\n  "{name}": ['
            for i, entry in enumerate(entries):
                # Lines of pretty JSON are never blank (a string holds its newlines escaped): all get indented.
                yield ("\n    " if i == 0 else ",\n    ") + entry.model_dump_json(indent=2).replace("\n", "\n    ")
            yield "\n  ]"
        yield rest


_STREAMED = ("briefs", "actors", "figures", "conflicts")  # the lists that grow with a night's briefs


# --- what the digest reads of a brief ---------------------------------------------------------------
# A night of 10,000 briefs is folded at its end: keeping each whole Brief (its source text, every claim,
# every quote: ~50 KB as Python objects) until then would cost far more than the digest itself, so a run
# keeps only this projection of each brief, made when the brief is written (`BriefGist.of`).


@dataclass(frozen=True, slots=True)
class Quote:
    """An Evidence as the digest links to it (an EvidenceRef without its brief and place)."""

    quote: str
    start: int | None
    end: int | None
    alignment: Alignment

    @classmethod
    def of(cls, ev: Evidence) -> Quote:
        return cls(ev.quote, ev.start, ev.end, ev.alignment)


@dataclass(frozen=True, slots=True)
class ActorGist:
    name: str
    aliases: tuple[str, ...]
    kind: ActorKind
    role: str | None
    mentions: int  # evidence quotes
    first: Quote | None  # the first of them


@dataclass(frozen=True, slots=True)
class FigureGist:
    text: str
    value: float | None
    value_max: float | None
    unit: str | None
    measures: str | None
    qualifier: Qualifier
    date: str | None
    source: str | None
    first: Quote | None  # the first evidence quote

    def figure(self) -> Figure:
        """The figure as `quantities` compares it (what the gist keeps of it)."""
        return Figure(text=self.text, value=self.value, value_max=self.value_max, unit=self.unit,
                      measures=self.measures, qualifier=self.qualifier, date=self.date, source=self.source)


@dataclass(frozen=True, slots=True)
class BriefGist:
    """Exactly what `build_digest` reads of one brief (and what the run's digest links name: engine, model)."""

    title: str | None
    summary: str
    language: str  # source.language
    engine: str
    model: str | None
    summary_evidence: tuple[Quote, ...]
    actors: tuple[ActorGist, ...]
    figures: tuple[FigureGist, ...]
    claims: int
    uncertainties: int

    @classmethod
    def of(cls, brief: Brief) -> BriefGist:
        return cls(
            title=brief.title,
            summary=brief.summary,
            language=brief.source.language,
            engine=brief.provenance.engine,
            model=brief.provenance.model,
            summary_evidence=tuple(Quote.of(ev) for ev in brief.summary_evidence),
            actors=tuple(
                ActorGist(actor.name, tuple(actor.aliases), actor.kind, actor.role, len(actor.evidence),
                          Quote.of(actor.evidence[0]) if actor.evidence else None)
                for actor in brief.actors
            ),
            figures=tuple(
                FigureGist(fig.text, fig.value, fig.value_max, fig.unit, fig.measures, fig.qualifier, fig.date,
                           fig.source, Quote.of(fig.evidence[0]) if fig.evidence else None)
                for fig in brief.figures
            ),
            claims=len(brief.claims),
            uncertainties=len(brief.uncertainties),
        )

    @property
    def substance(self) -> int:
        """How much the brief says: its claims, figures and uncertainties."""
        return self.claims + len(self.figures) + self.uncertainties


_Entries = Sequence[tuple[BriefLink, BriefGist]]


# --- building ------------------------------------------------------------------------------------


def build_digest(
    entries: Sequence[tuple[BriefLink, Brief | BriefGist]],
    *,
    run_id: str | None = None,
    failed: Iterable[FailedDocument] = (),
    top: int = DEFAULT_TOP,
    generated_at: datetime | None = None,
    memory: StoryMemory | None = None,
) -> Digest:
    """Fold (link, brief) pairs into a Digest. Link ids must be unique. A brief may be given as its
    `BriefGist`: the digest is the same (a nightly run keeps only gists)."""
    gists = [(link, brief if isinstance(brief, BriefGist) else BriefGist.of(brief)) for link, brief in entries]
    return _build(gists, run_id=run_id, failed=failed, top=top, generated_at=generated_at, memory=memory)


def _build(
    entries: _Entries,
    *,
    run_id: str | None,
    failed: Iterable[FailedDocument],
    top: int,
    generated_at: datetime | None,
    memory: StoryMemory | None,
) -> Digest:
    ids = [link.id for link, _ in entries]
    order = {brief_id: i for i, brief_id in enumerate(ids)}  # a brief's place among the entries
    if len(order) != len(ids):
        duplicated = sorted(i for i, n in Counter(ids).items() if n > 1)
        raise ValueError(f"brief ids must be unique in a digest; repeated: {', '.join(duplicated)}")
    clusters = _merge_actors(entries)
    actors = _digest_actors(entries, clusters)
    shared = _shared_clusters(entries, clusters)
    groups = _story_groups(entries, clusters)
    figures = [fig for link, brief in entries for fig in _digest_figures(link, brief)]
    return Digest(
        generated_at=generated_at or datetime.now(timezone.utc),
        run_id=run_id,
        documents=len(entries),
        languages=dict(Counter(brief.language for _, brief in entries).most_common()),
        failed=list(failed),
        briefs=[link for link, _ in entries],
        stories=_stories(entries, groups, shared, order)[: max(top, 0)],
        actors=actors,
        figures=figures,
        conflicts=_conflicts(entries, groups, figures, order),
        memory=memory,
    )


# A digest's quotes and figures are many (a night of 10,000 briefs: ~40,000 figures, ~100,000 quotes) and
# made of values its briefs' validation already checked: they are built without validation, and share one
# set of field names (every field is set) instead of a set each (~500-700 bytes an entry). The JSON is the same.
_REF_FIELDS = set(EvidenceRef.model_fields)
_FIGURE_FIELDS = set(DigestFigure.model_fields)
M = TypeVar("M", bound=BaseModel)


def _constructed(cls: type[M], fields: set[str], values: dict[str, Any]) -> M:
    """`cls.model_construct(fields, **values)` for `values` that set every field, in the fields' order, of a
    model without extra fields, private attributes or post-init: what model_construct then does, without
    its loop over the fields in Python (a tenth of the time; `tests/test_digest_gist.py` compares them)."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", fields)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


def _ref(brief_id: str, field: str, index: int, ev: Quote) -> EvidenceRef:
    return _constructed(EvidenceRef, _REF_FIELDS, {
        "brief": brief_id, "field": field, "index": index, "quote": ev.quote, "start": ev.start, "end": ev.end,
        "alignment": ev.alignment,
    })


@lru_cache(maxsize=65_536)  # the same names come back in every brief of a night
def actor_key(name: str) -> str:
    """A name reduced for matching: no case, accents, punctuation, possessive or leading titles."""
    folded = fold(name).replace("’", "'")
    folded = re.sub(r"'s\b", "", folded)
    words = _NON_WORD.sub(" ", folded).split()
    while len(words) > 1 and words[0] in _TITLE_WORDS:
        words.pop(0)
    return " ".join(words)


# A node is one actor of one brief: (position of the brief in entries, position of the actor in the brief).
_Node = tuple[int, int]


def _merge_actors(entries: _Entries) -> list[list[_Node]]:
    """Clusters of (brief position, actor position), each cluster one real-world actor."""
    nodes: list[_Node] = [(b, a) for b, (_, brief) in enumerate(entries) for a in range(len(brief.actors))]
    union = UnionFind(len(nodes))
    first_with_key: dict[str, int] = {}
    for n, (b, a) in enumerate(nodes):
        actor = entries[b][1].actors[a]
        for name in (actor.name, *actor.aliases):
            key = actor_key(name)
            if not key:
                continue
            if key in first_with_key:
                union.union(first_with_key[key], n)
            else:
                first_with_key[key] = n
    _join_surnames(entries, nodes, union)
    groups: dict[int, list[_Node]] = defaultdict(list)
    for n, node in enumerate(nodes):
        groups[union.find(n)].append(node)
    return list(groups.values())


def _join_surnames(entries: _Entries, nodes: list[_Node], union: UnionFind) -> None:
    """Join a person named by one word to the single person cluster whose full name ends with it."""
    full_names: dict[str, set[int]] = defaultdict(set)
    lone: list[tuple[int, str]] = []
    for n, (b, a) in enumerate(nodes):
        actor = entries[b][1].actors[a]
        if actor.kind is not ActorKind.person:
            continue
        for name in (actor.name, *actor.aliases):
            words = actor_key(name).split()
            if len(words) > 1:
                full_names[words[-1]].add(n)
            elif words:
                lone.append((n, words[0]))
    for n, surname in lone:
        roots = {union.find(m) for m in full_names.get(surname, ())}
        if len(roots) == 1:
            union.union(n, roots.pop())


def _display_name(names: Counter[str]) -> str:
    # The fullest form (most words once titles are gone), then the plainest spelling of it, then the commonest.
    return min(names, key=lambda name: (-len(actor_key(name).split()), len(name), -names[name], name))


def _digest_actors(entries: _Entries, clusters: list[list[_Node]]) -> list[DigestActor]:
    out: list[DigestActor] = []
    for cluster in clusters:
        names: Counter[str] = Counter()
        kinds: Counter[ActorKind] = Counter()
        roles: dict[str, None] = {}  # dicts as ordered sets: a large cluster has hundreds of briefs
        briefs: dict[str, None] = {}
        languages: set[str] = set()
        evidence: list[EvidenceRef] = []
        mentions = 0
        for b, a in sorted(cluster):
            link, brief = entries[b]
            actor = brief.actors[a]
            names[actor.name] += 1
            names.update(actor.aliases)
            kinds[actor.kind] += 1
            if actor.role:
                roles.setdefault(actor.role)
            mentions += actor.mentions
            languages.add(brief.language)
            if link.id not in briefs:
                briefs[link.id] = None
                if actor.first is not None:
                    evidence.append(_ref(link.id, "actors", a, actor.first))
        name = _display_name(names)
        specific = [k for k, _ in kinds.most_common() if k is not ActorKind.other]
        out.append(
            DigestActor(
                name=name,
                kind=specific[0] if specific else ActorKind.other,
                aliases=sorted(n for n in names if n != name),
                documents=len(briefs),
                languages=sorted(languages),
                briefs=list(briefs),
                roles=list(roles),
                mentions=mentions,
                evidence=evidence,
            )
        )
    out.sort(key=lambda actor: (-actor.documents, -actor.mentions, actor.name.casefold()))
    return out


def _shared_clusters(
    entries: _Entries, clusters: list[list[_Node]]
) -> list[tuple[set[int], str]]:
    """Actors named in two briefs or more: the positions of those briefs, and the actor's display name."""
    shared: list[tuple[set[int], str]] = []
    for cluster in clusters:
        briefs = {b for b, _ in cluster}
        if len(briefs) >= 2:
            shared.append((briefs, _display_name(Counter(entries[b][1].actors[a].name for b, a in cluster))))
    return shared


def _story_groups(entries: _Entries, clusters: list[list[_Node]]) -> list[list[int]]:
    """Brief positions grouped by story: enough actors in common (see the module docstring)."""
    rows: list[int] = []
    cols: list[int] = []
    for c, cluster in enumerate(clusters):
        for b in {b for b, _ in cluster}:
            rows.append(b)
            cols.append(c)
    n = len(entries)
    # Actors shared by each pair of briefs, as sparse products (brief x actor) . (actor x brief): the
    # pairs a night's large clusters ("United States" in 500 briefs) make are counted in C, not in Python.
    incidence = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, len(clusters)))
    actors = np.asarray(incidence.sum(axis=1)).ravel()
    # A block of briefs at a time (about 250,000 pairs): the whole product may hold most pairs of a large
    # night (10,000 briefs telling a few stories: 100 million). Each block's links are kept as a spanning
    # forest (each linked brief to the first of its component in the block): the same components, at most
    # n links a block.
    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    rows_at_once = max(1, _GROUP_CELLS // max(n, 1))
    for begin in range(0, n, rows_at_once):
        shared = (incidence[begin : begin + rows_at_once] @ incidence.T).tocoo()
        row = shared.row.astype(np.int64) + begin
        col = shared.col.astype(np.int64)
        same = (col > row) & (shared.data >= 2) & (shared.data * 2 >= np.minimum(actors[row], actors[col]))
        row, col = row[same], col[same]
        block = sparse.coo_matrix((np.ones(len(row)), (row, col)), shape=(n, n))
        _, block_labels = connected_components(block, directed=False)
        linked = np.unique(np.concatenate([row, col]))  # sorted: the first of each component comes first
        labels_of = block_labels[linked]
        components, first = np.unique(labels_of, return_index=True)
        sources.append(linked)
        targets.append(linked[first][np.searchsorted(components, labels_of)])
    source = np.concatenate(sources) if sources else np.zeros(0, dtype=np.int64)
    target = np.concatenate(targets) if targets else np.zeros(0, dtype=np.int64)
    links = sparse.coo_matrix((np.ones(len(source)), (source, target)), shape=(n, n))
    _, labels = connected_components(links, directed=False)
    groups: dict[int, list[int]] = {}
    for b, label in enumerate(labels.tolist()):  # groups in the order of their first brief, briefs in order
        groups.setdefault(label, []).append(b)
    return list(groups.values())


def _stories(
    entries: _Entries,
    groups: list[list[int]],
    shared_clusters: list[tuple[set[int], str]],
    order: dict[str, int],
) -> list[Story]:
    # Per group: the briefs outside it that share an actor with one of its briefs, and those actors' names.
    group_of = {b: g for g, group in enumerate(groups) for b in group}
    others_of: list[set[int]] = [set() for _ in groups]
    names_of: list[set[str]] = [set() for _ in groups]
    for briefs, name in shared_clusters:
        for g in {group_of[b] for b in briefs}:
            others_of[g].update(briefs)
            names_of[g].add(name)
    stories: list[Story] = []
    for g, group in enumerate(groups):
        lead = min(group, key=lambda b: (-entries[b][1].substance, b))
        link, brief = entries[lead]
        coverage = [entries[b][0].id for b in group if b != lead]
        others = sorted(others_of[g] - set(group))
        stories.append(
            Story(
                brief=link.id,
                title=brief.title or link.title,
                summary=brief.summary,
                score=round(2 * len(coverage) + len(others) + brief.substance / 10, 2),
                coverage=coverage,
                related=[entries[b][0].id for b in others],
                shared_actors=sorted(names_of[g], key=str.casefold),
                actors=[actor.name for actor in brief.actors],
                claims=brief.claims,
                figures=len(brief.figures),
                uncertainties=brief.uncertainties,
                evidence=[_ref(link.id, "summary", 0, ev) for ev in brief.summary_evidence],
            )
        )
    stories.sort(key=lambda story: (-story.score, order[story.brief]))
    return stories


def _digest_figures(link: BriefLink, brief: BriefGist) -> list[DigestFigure]:
    return [
        _constructed(DigestFigure, _FIGURE_FIELDS, {
            "brief": link.id,
            "index": i,
            "text": fig.text,
            "value": fig.value,
            "value_max": fig.value_max,
            "unit": fig.unit,
            "measures": fig.measures,
            "qualifier": fig.qualifier,
            "date": fig.date,
            "source": fig.source,
            "evidence": _ref(link.id, "figures", i, fig.first) if fig.first is not None else None,
        })
        for i, fig in enumerate(brief.figures)
    ]


@dataclass
class _Kind:
    """Figures of one story alike in everything the conflict rule reads (unit, measures, date, value,
    source): they disagree with the same others, so the rule compares one figure of each kind."""

    members: list[int]  # positions among the story's figures
    figure: Figure  # the first member, as `quantities` compares it
    source: str | None  # actor key of its named source (may be ""), None when unnamed
    by_brief: dict[int, list[int]]  # the number of a brief -> its members, in order

    @cached_property
    def firsts(self) -> np.ndarray:
        """The first member in each brief, in order."""
        return np.array([members[0] for members in self.by_brief.values()], dtype=np.int32)

    @cached_property
    def briefs(self) -> np.ndarray:
        return np.fromiter(self.by_brief, dtype=np.int32, count=len(self.by_brief))


def _kinds(pairs: list[tuple[DigestFigure, FigureGist]]) -> list[_Kind]:
    kinds: dict[tuple[object, ...], _Kind] = {}
    brief_numbers: dict[str, int] = {}
    for i, (digest_fig, figure) in enumerate(pairs):
        if not figure.unit:  # only figures in a unit can be one quantity (see same_quantity)
            continue
        key = (figure.unit, figure.measures, (figure.date or "").lower(), figure.value,
               actor_key(figure.source) if figure.source else "")
        kind = kinds.get(key)
        if kind is None:
            kind = kinds[key] = _Kind([], figure.figure(), actor_key(figure.source) if figure.source else None, {})
        kind.members.append(i)
        brief = brief_numbers.setdefault(digest_fig.brief, len(brief_numbers))
        kind.by_brief.setdefault(brief, []).append(i)
    return list(kinds.values())


class _Links:
    """Figures joined by disagreeing, gathered as edges and resolved into connected parts. A story told
    thousands of times joins millions of pairs: every `_COMPACT_AT` edges, those gathered are replaced by
    one edge from each figure to the first of its part, so the edges held stay few."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.heads: list[np.ndarray] = []
        self.tails: list[np.ndarray] = []
        self.held = 0

    def join(self, head: int, tails: Sequence[int] | np.ndarray) -> None:
        self.tails.append(np.asarray(tails, dtype=np.int32))
        self.heads.append(np.full(len(self.tails[-1]), head, dtype=np.int32))
        self.held += len(self.tails[-1])
        if self.held >= _COMPACT_AT:
            nodes, labels = self._resolve()
            stands_for = np.zeros(self.size, dtype=np.int32)
            stands_for[labels[nodes]] = nodes  # any one figure of a part stands for it
            self.heads, self.tails, self.held = [stands_for[labels[nodes]]], [nodes], len(nodes)

    def _resolve(self) -> tuple[np.ndarray, np.ndarray]:
        """The joined figures, in order, and the part of every figure."""
        heads, tails = np.concatenate(self.heads), np.concatenate(self.tails)
        graph = sparse.coo_matrix((np.ones(len(heads), dtype=np.int8), (heads, tails)), shape=(self.size,) * 2)
        _, labels = connected_components(graph, directed=False)
        return np.unique(np.concatenate([heads, tails])), labels

    def joined(self) -> np.ndarray:
        """The figures joined so far, in order."""
        return np.unique(np.concatenate(self.heads + self.tails)) if self.heads else np.zeros(0, dtype=np.int32)

    def parts(self) -> list[list[int]]:
        """The joined figures in parts, each in order, parts in the order of their first figure."""
        if not self.heads:
            return []
        nodes, labels = self._resolve()
        parts: dict[int, list[int]] = {}
        for i in nodes.tolist():
            parts.setdefault(int(labels[i]), []).append(i)
        return list(parts.values())


def _disagreeing(kinds: list[_Kind], links: _Links) -> None:
    """Join the figures of kinds that disagree: one quantity, values that differ, and from two documents
    or from two named sources (within one document only two named sources can disagree).

    Pairs of kinds are many in a story told thousands of times, so each kind is compared with all that
    follow it at once, and joined to its partners in whole arrays; the parts are the same as comparing
    the figures pair by pair."""
    shapes: dict[tuple[object, ...], int] = {}  # what same_quantity reads of a figure -> its number
    shape = np.array([shapes.setdefault((k.figure.unit, k.figure.measures, (k.figure.date or "").lower()),
                                        len(shapes)) for k in kinds], dtype=np.int64)
    same_shape = np.zeros((len(shapes), len(shapes)), dtype=bool)
    by_shape = {s: kinds[int(np.argmax(shape == s))].figure for s in shapes.values()}
    for a, fa in by_shape.items():
        for b, fb in by_shape.items():
            same_shape[a, b] = same_quantity(fa, fb)  # in order: same_quantity reads the first one's unit
    values = np.array([np.nan if k.figure.value is None else k.figure.value for k in kinds], dtype=np.float64)
    sources: dict[str, int] = {}  # a named source's key -> its number from 1 (0: unnamed)
    source_of = np.array([0 if k.source is None else sources.setdefault(k.source, len(sources) + 1) for k in kinds],
                         dtype=np.int64)
    lone = np.array([len(k.by_brief) == 1 for k in kinds])
    first_of = np.array([k.firsts[0] for k in kinds], dtype=np.int32)
    brief_of = np.array([k.briefs[0] for k in kinds], dtype=np.int32)
    for x, one in enumerate(kinds):
        if one.figure.value is None:
            continue
        later = np.arange(x + 1, len(kinds))
        partners = later[same_shape[shape[x], shape[later]] & values_differing(one.figure.value, values[later])]
        named = (source_of[x] != 0) & (source_of[partners] != 0) & (source_of[partners] != source_of[x])
        for y in partners[named].tolist():  # two named sources disagree, within one document too
            links.join(one.members[0], one.members + kinds[y].members)
        rest = partners[~named]
        if lone[x]:  # the common case: one document each; join those of other documents at once
            simple = rest[lone[rest]]
            links.join(first_of[x], first_of[simple[brief_of[simple] != brief_of[x]]])
            rest = rest[~lone[rest]]
        for y in rest.tolist():
            _join_documents(one, kinds[y], links)
    # Figures of one kind in one document have the same partners as the first of them.
    joined = set(links.joined().tolist())
    for kind in kinds:
        for members in kind.by_brief.values():
            if len(members) > 1 and members[0] in joined:
                links.join(members[0], members[1:])


def _join_documents(one: _Kind, other: _Kind, links: _Links) -> None:
    """Only figures of two different documents disagree: join the first figure of each brief of one kind
    to those of the other's other briefs."""
    small, large = sorted((one, other), key=lambda kind: len(kind.by_brief))
    if len(small.by_brief) >= 2 and len(large.by_brief) >= 3:
        # Every pair but those of one document disagrees: with two documents on one side and three on the
        # other, that leaves one connected whole, so skip the pairs (a story told 40 times has 1,600).
        links.join(int(small.firsts[0]), np.concatenate([small.firsts, large.firsts]))
        return
    for first, brief in zip(small.firsts.tolist(), small.briefs.tolist()):
        links.join(first, large.firsts[large.briefs != brief])


def _value_texts(figures: list[DigestFigure]) -> list[str]:
    """The text of the first figure of each value, in order (values the same as `same_value` says)."""
    texts: list[str] = []
    seen: list[float] = []  # sorted: a value the same as one seen is next to it (the tolerance is tiny)
    for fig in figures:
        if fig.value is None:
            continue
        at = bisect.bisect_left(seen, fig.value)
        if not any(same_value(fig.value, seen[i]) for i in (at - 1, at) if 0 <= i < len(seen)):
            seen.insert(at, fig.value)
            texts.append(fig.text)
    return texts


def _conflicts(
    entries: _Entries,
    groups: list[list[int]],
    figures: list[DigestFigure],
    order: dict[str, int],
) -> list[Conflict]:
    by_brief: dict[str, list[DigestFigure]] = defaultdict(list)
    for fig in figures:
        by_brief[fig.brief].append(fig)
    conflicts: list[Conflict] = []
    for group in groups:
        pairs = [
            (fig, entries[b][1].figures[fig.index]) for b in sorted(group) for fig in by_brief[entries[b][0].id]
        ]
        kinds = _kinds(pairs)
        by_unit: dict[str, list[_Kind]] = defaultdict(list)
        for kind in kinds:
            by_unit[unit_key(kind.figure.unit or "")].append(kind)
        links = _Links(len(pairs))
        for same_unit in by_unit.values():
            _disagreeing(same_unit, links)
        for positions in links.parts():
            part = [pairs[i][0] for i in positions]
            first = part[0]
            conflicts.append(
                Conflict(
                    quantity=first.measures or first.unit or "",
                    unit=first.unit,
                    values=_value_texts(part),
                    briefs=sorted({fig.brief for fig in part}, key=order.__getitem__),
                    figures=part,
                )
            )
    conflicts.sort(key=lambda c: (-len(c.briefs), -len(c.values), order[c.briefs[0]], c.quantity))
    return conflicts
