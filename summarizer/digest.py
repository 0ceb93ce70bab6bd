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

import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from summarizer.quantities import same_quantity, same_value, unit_key, values_differ
from summarizer.schema import ActorKind, Alignment, Brief, Evidence, Figure, Qualifier
from summarizer.stories.models import StoryMemory
from summarizer.text import fold
from summarizer.grouping import UnionFind

DIGEST_VERSION = "1.0"
DEFAULT_TOP = 10
_GROUP_CELLS = 1 << 18  # (brief, brief) pairs whose shared actors are counted at once (see _story_groups)

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
                yield ("\n" if i == 0 else ",\n") + textwrap.indent(entry.model_dump_json(indent=2), "    ")
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
# made of values its briefs' validation already checked: they are built with model_construct and share one
# set of field names (every field is set) instead of a set each (~500-700 bytes an entry). The JSON is the same.
_REF_FIELDS = set(EvidenceRef.model_fields)
_FIGURE_FIELDS = set(DigestFigure.model_fields)


def _ref(brief_id: str, field: str, index: int, ev: Quote) -> EvidenceRef:
    return EvidenceRef.model_construct(
        _REF_FIELDS, brief=brief_id, field=field, index=index, quote=ev.quote, start=ev.start, end=ev.end,
        alignment=ev.alignment,
    )


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
        DigestFigure.model_construct(
            _FIGURE_FIELDS,
            brief=link.id,
            index=i,
            text=fig.text,
            value=fig.value,
            value_max=fig.value_max,
            unit=fig.unit,
            measures=fig.measures,
            qualifier=fig.qualifier,
            date=fig.date,
            source=fig.source,
            evidence=_ref(link.id, "figures", i, fig.first) if fig.first is not None else None,
        )
        for i, fig in enumerate(brief.figures)
    ]


def _join_disagreeing(
    pairs: list[tuple[DigestFigure, FigureGist]],
    one: list[int],
    other: list[int],
    figure: dict[int, Figure],
    union: UnionFind,
    in_conflict: set[int],
) -> None:
    """Join the figures of two kinds that disagree: one quantity, values that differ, and from two documents
    or from two named sources (within one document only two named sources can disagree). `figure` holds
    the first figure of each kind, as `quantities` compares it."""
    fa, fb = figure[one[0]], figure[other[0]]
    if not (same_quantity(fa, fb) and values_differ(fa, fb)):
        return
    if fa.source and fb.source and actor_key(fa.source) != actor_key(fb.source):
        everyone = one + other  # two named sources disagree, within one document too
        for i in everyone[1:]:
            union.union(everyone[0], i)
        in_conflict.update(everyone)
        return
    # Otherwise only figures of two different documents disagree.
    by_brief_one: dict[str, list[int]] = defaultdict(list)
    by_brief_other: dict[str, list[int]] = defaultdict(list)
    for i in one:
        by_brief_one[pairs[i][0].brief].append(i)
    for j in other:
        by_brief_other[pairs[j][0].brief].append(j)
    firsts_one = {brief: members[0] for brief, members in by_brief_one.items()}
    firsts_other = {brief: members[0] for brief, members in by_brief_other.items()}
    if min(len(firsts_one), len(firsts_other)) >= 2 and max(len(firsts_one), len(firsts_other)) >= 3:
        # Every pair but those of one document disagrees: with two documents on one side and three on the
        # other, that leaves one connected whole, so skip the pairs (a story told 40 times has 1,600).
        everyone = [*firsts_one.values(), *firsts_other.values()]
        for i in everyone[1:]:
            union.union(everyone[0], i)
        in_conflict.update(everyone)
    else:
        for brief_a, x in firsts_one.items():
            for brief_b, y in firsts_other.items():
                if brief_a != brief_b:
                    union.union(x, y)
                    in_conflict.update((x, y))
    # Figures of one kind in one document have the same partners as the first of them.
    for group in (*by_brief_one.values(), *by_brief_other.values()):
        if group[0] in in_conflict:
            for i in group[1:]:
                union.union(group[0], i)
            in_conflict.update(group)


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
        union = UnionFind(len(pairs))
        in_conflict: set[int] = set()
        # Only figures in one unit can be one quantity (see same_quantity), and figures alike in everything
        # the rule reads (unit, measures, date, value, source) disagree with the same others: compare one
        # figure of each kind, not every pair of a large story's figures.
        kinds: dict[tuple[object, ...], list[int]] = {}
        for i, (digest_fig, figure) in enumerate(pairs):
            if figure.unit:
                kind = (figure.unit, figure.measures, (figure.date or "").lower(), figure.value,
                        actor_key(figure.source) if figure.source else "")
                kinds.setdefault(kind, []).append(i)
        by_unit: dict[str, list[list[int]]] = defaultdict(list)
        for members in kinds.values():
            by_unit[unit_key(pairs[members[0]][1].unit or "")].append(members)
        compared = {members[0]: pairs[members[0]][1].figure() for members in kinds.values()}
        for same_unit in by_unit.values():
            for x, one in enumerate(same_unit):
                for other in same_unit[x + 1 :]:
                    _join_disagreeing(pairs, one, other, compared, union, in_conflict)
        parts: dict[int, list[DigestFigure]] = defaultdict(list)
        for i in sorted(in_conflict):
            parts[union.find(i)].append(pairs[i][0])
        for part in parts.values():
            values: list[str] = []
            seen: list[float] = []
            for fig in part:
                if fig.value is not None and not any(same_value(fig.value, value) for value in seen):
                    seen.append(fig.value)
                    values.append(fig.text)
            first = part[0]
            conflicts.append(
                Conflict(
                    quantity=first.measures or first.unit or "",
                    unit=first.unit,
                    values=values,
                    briefs=sorted({fig.brief for fig in part}, key=order.__getitem__),
                    figures=part,
                )
            )
    conflicts.sort(key=lambda c: (-len(c.briefs), -len(c.values), order[c.briefs[0]], c.quantity))
    return conflicts
