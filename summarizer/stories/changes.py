"""What each story touched by a run says that its earlier briefs did not: the three parts of the digest.

Tonight's briefs are the story's members indexed by this run; everything else in the story (earlier
nights, and older versions of edited documents) is what was known. For each touched story:

- new actors: actor keys (the digest's `actor_key`) no earlier brief named;
- new claims: claims whose speaker and statement no earlier brief had (statements compared as word
  sets, so a claim retold with a word or two changed is not new);
- figures: a figure is *known* when an earlier figure of the same quantity (`same_quantity`, dates aside:
  "Friday" and "Saturday" name one quantity across nights; for figures without a unit, the words around
  the number in the source, "killing 107 or more", sharing two words and half of the shorter) has the
  same value; *changed* when the latest such earlier figure has a different value of a similar size
  (`values_differ`), with both values, sources, nights and quotes; a *conflict* when the two values come from two different
  named sources; *new* when no earlier figure measures that quantity (figures with a unit only: a bare
  number is too vague to announce as new).

A story with no earlier brief is new; one with changes is developing; the rest are quiet.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from summarizer.digest import actor_key
from summarizer.quantities import same_quantity, same_value, values_differ
from summarizer.schema import UNATTRIBUTED, Figure
from summarizer.stories.features import FactClaim, FactFigure, Facts, same_context
from summarizer.stories.index import Placement
from summarizer.stories.models import (
    ClaimNote,
    FigureChange,
    FigureValue,
    StoryBrief,
    StoryEntry,
    StoryMemory,
    StoryTimeline,
    TimelineNight,
)
from summarizer.stories.store import Member, StoryRow, StoryStore

_WORD = re.compile(r"\w+")
_SAME_CLAIM = 0.6  # word-set overlap (Jaccard) at which two statements of one speaker are one claim


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def _speaker(name: str) -> str:
    return UNATTRIBUTED if name == UNATTRIBUTED else actor_key(name)


def _value(member: Member, fig: FactFigure) -> FigureValue:
    return FigureValue(text=fig.text, value=fig.value, unit=fig.unit, measures=fig.measures, source=fig.source,
                       date=fig.date, night=member.night, brief=member.brief_id, json_path=member.brief_json,
                       md_path=member.brief_md, quote=fig.quote, start=fig.start, end=fig.end, context=fig.context)


def _claim(member: Member, claim: FactClaim) -> ClaimNote:
    return ClaimNote(speaker=claim.speaker, statement=claim.statement, brief=member.brief_id,
                     json_path=member.brief_json, md_path=member.brief_md, quote=claim.quote, start=claim.start,
                     end=claim.end)


def _brief_ref(member: Member, status: str, ids: Mapping[str, str]) -> StoryBrief:
    return StoryBrief(id=member.brief_id, title=member.title, json_path=member.brief_json, md_path=member.brief_md,
                      night=member.night, status=status, replaces=ids.get(member.replaces or ""))


def _different_sources(a: str | None, b: str | None) -> bool:
    return bool(a and b and actor_key(a) != actor_key(b))


def _comparable(fig: FactFigure) -> bool:
    return bool(fig.unit or len(fig.context) >= 2)


def _same_quantity(a: FactFigure, fa: Figure, b: FactFigure, fb: Figure) -> bool:
    if a.unit or b.unit:
        return same_quantity(fa, fb)
    return same_context(a.context, b.context)


def _quantity(fig: FactFigure) -> str:
    """What a changed figure measures, as the brief says it, or the words around it when it has no unit."""
    return fig.measures or fig.unit or f"“{' '.join(fig.context)}”"


def story_memory(store: StoryStore, placements: Mapping[str, Placement], night: str, run_id: str) -> StoryMemory:
    """The three parts for the stories these placements touch (brief id -> placement, in the run's order)."""
    touched = list(dict.fromkeys(p.story_id for p in placements.values()))
    members = store.members_of(touched, facts=False)  # each story's facts read as it is told (`_entry`)
    by_story: dict[str, list[Member]] = {}
    for m in members:
        by_story.setdefault(m.story_id, []).append(m)
    ids = {m.content_hash: m.brief_id for m in members}
    memory = StoryMemory(night=night, run_id=run_id, stories_known=store.count_stories())
    for story_id in touched:
        row = store.story(story_id)
        if row is None:
            continue
        story_members = by_story.get(story_id, [])
        entry = _entry(row, story_members, run_id, ids, store.facts_of([m.content_hash for m in story_members]))
        if not entry.briefs:  # touched only by briefs indexed before: link those this run has
            entry.briefs = [_brief_ref(m, "known", ids) for m in by_story.get(story_id, [])
                            if m.current and placements.get(m.brief_id) is not None]
        if entry.earlier == 0:
            memory.new.append(entry)
        elif entry.new_actors or entry.new_claims or entry.new_figures or entry.changed_figures:
            memory.developing.append(entry)
        else:
            memory.quiet.append(entry)
    # Most told first: stories with more briefs tonight, then more changes.
    memory.new.sort(key=lambda e: -len(e.briefs))
    memory.developing.sort(key=lambda e: (-len(e.conflicts) - len(e.changed_figures), -len(e.briefs)))
    return memory


def _entry(row: StoryRow, members: list[Member], run_id: str, ids: Mapping[str, str],
           facts_json: Mapping[str, str]) -> StoryEntry:
    tonight = [m for m in members if m.run_id == run_id and m.current]
    earlier = [m for m in members if not (m.run_id == run_id and m.current)]

    def facts(m: Member) -> Facts:
        # Parsed as each member is read, once: a story's members' Facts are not all held at once.
        return Facts.model_validate_json(facts_json[m.content_hash])

    entry = StoryEntry(
        story_id=row.story_id, title=row.title, first_seen=row.first_night, last_seen=row.last_night,
        documents=row.members,
        briefs=[_brief_ref(m, "edited" if m.replaces else "added", ids) for m in tonight],
        earlier=len(earlier),
    )
    if not earlier:
        names: Counter[str] = Counter()
        for m in tonight:
            names.update(a.name for a in facts(m).actors)
        entry.actors = [name for name, _ in names.most_common(8)]
        entry.note = f"new story: {len(tonight)} brief{'s' if len(tonight) != 1 else ''}"
        return entry

    known_actors: set[str] = set()
    known_claims: dict[str, list[frozenset[str]]] = {}
    known_figures: list[tuple[Member, FactFigure, Figure]] = []
    for m in earlier:
        f_earlier = facts(m)
        known_actors.update(a.key for a in f_earlier.actors)
        for c in f_earlier.claims:
            known_claims.setdefault(_speaker(c.speaker), []).append(_words(c.statement))
        known_figures.extend((m, f, f.figure()) for f in f_earlier.figures if _comparable(f))

    seen_actor: set[str] = set()
    for m in tonight:
        f_tonight = facts(m)
        for actor in f_tonight.actors:
            if actor.key not in known_actors and actor.key not in seen_actor:
                seen_actor.add(actor.key)
                entry.new_actors.append(actor.name)
        for claim in f_tonight.claims:
            speaker, words = _speaker(claim.speaker), _words(claim.statement)
            said = known_claims.setdefault(speaker, [])
            if not any(_jaccard(words, other) >= _SAME_CLAIM for other in said):
                entry.new_claims.append(_claim(m, claim))
            said.append(words)  # a claim made twice tonight is reported once
        for fig in f_tonight.figures:
            if not _comparable(fig) or fig.value is None:
                continue
            figure = fig.figure()
            same = [(em, ef) for em, ef, eg in known_figures if _same_quantity(fig, figure, ef, eg)]
            if any(ef.value is not None and same_value(fig.value, ef.value) for _, ef in same):
                continue
            differing = [(em, ef) for em, ef in same if ef.value is not None and values_differ(figure, ef.figure())]
            if differing:
                em, ef = max(differing, key=lambda pair: (pair[0].night, pair[0].seq))
                change = FigureChange(quantity=_quantity(fig), unit=fig.unit, before=_value(em, ef),
                                      after=_value(m, fig), conflict=_different_sources(ef.source, fig.source))
                entry.changed_figures.append(change)
                if change.conflict:
                    entry.conflicts.append(change)
            elif not same and fig.unit:  # a number with no unit is too vague to call new on its own
                entry.new_figures.append(_value(m, fig))
            known_figures.append((m, fig, figure))  # the second telling tonight is not new again
    parts = []
    for count, word in ((len(entry.changed_figures), "changed figure"), (len(entry.conflicts), "conflict"),
                        (len(entry.new_figures), "new figure"), (len(entry.new_actors), "new actor"),
                        (len(entry.new_claims), "new claim")):
        if count:
            parts.append(f"{count} {word}{'s' if count != 1 else ''}")
    entry.note = ", ".join(parts) if parts else "nothing new: repeats what was known"
    return entry


def timeline(store: StoryStore, row: StoryRow) -> StoryTimeline:
    """One story night by night: its briefs, and every figure with a unit they give."""
    members = store.members_of([row.story_id])
    ids = {m.content_hash: m.brief_id for m in members}
    nights: dict[str, TimelineNight] = {}
    for m in members:
        night = nights.setdefault(m.night, TimelineNight(night=m.night))
        status = ("edited" if m.replaces else "added") if m.current else "replaced"
        night.briefs.append(_brief_ref(m, status, ids))
        if m.current:
            night.figures.extend(_value(m, f) for f in Facts.model_validate_json(m.facts).figures if _comparable(f))
    return StoryTimeline(story_id=row.story_id, title=row.title, first_seen=row.first_night,
                         last_seen=row.last_night, documents=row.members, nights=list(nights.values()))
