"""Story memory as Markdown: the digest's three parts (new / developing / quiet) and `summarizer stories`.

Links are relative to the output folder (where digest.md lives); `summarizer stories` prints them the
same way, so they resolve from the folder it names.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.quantities import same_quantity
from summarizer.render.markdown import escape
from summarizer.schema import Figure
from summarizer.stories.features import same_context
from summarizer.stories.models import ClaimNote, FigureChange, FigureValue, StoryEntry, StoryMemory, StoryTimeline
from summarizer.text import one_line

ROWS = 12  # items of one kind listed per story; the briefs and digest.json keep the rest
QUIET_ROWS = 50
_QUOTE_MAX = 140


def _link(text: str, path: str) -> str:
    return f"[{escape(' '.join(text.split())).replace('[', '(').replace(']', ')')}]({path})"


def _where(value: FigureValue) -> str:
    parts = [escape(value.source) if value.source else "no source named", value.night]
    if value.date:
        parts.append(f"dated “{escape(value.date)}”")
    return ", ".join(parts)


def _evidence(value: FigureValue | ClaimNote) -> str:
    where = f"chars {value.start}–{value.end}" if value.start is not None else "brief"
    quote = f"“{escape(one_line(value.quote, _QUOTE_MAX))}” " if value.quote else ""
    return f"{quote}([{escape(value.brief)} {where}]({value.md_path}))"


def _change(change: FigureChange) -> str:
    unit = f" ({escape(change.unit)})" if change.unit and change.unit != change.quantity else ""
    before, after = change.before, change.after
    return (f"**{escape(change.quantity)}**{unit}: {escape(before.text)} ({_where(before)}) → "
            f"**{escape(after.text)}** ({_where(after)}); before: {_evidence(before)}; now: {_evidence(after)}")


def _more(items: Sequence[object], word: str) -> list[str]:
    return [f"  - _{len(items) - ROWS} more {word}: see digest.json and the briefs_"] if len(items) > ROWS else []


def _briefs(entry: StoryEntry) -> str:
    shown = ", ".join(_link(b.title, b.md_path) + (" (edited)" if b.status == "edited" else "") for b in entry.briefs[:6])
    if len(entry.briefs) > 6:
        shown += f" and {len(entry.briefs) - 6} more"
    return shown


def memory_lines(memory: StoryMemory) -> list[str]:
    """The three parts, for the top of digest.md."""
    lines = [f"## New stories ({len(memory.new)})", ""]
    if not memory.new:
        lines.append("_No story first seen in this run._")
    for entry in memory.new:
        actors = f" · actors: {', '.join(escape(a) for a in entry.actors[:6])}" if entry.actors else ""
        lines.append(f"- **{_link(entry.title, entry.briefs[0].md_path)}** · `{entry.story_id}` · "
                     f"{len(entry.briefs)} brief{'s' if len(entry.briefs) != 1 else ''}{actors}")
        if len(entry.briefs) > 1:
            lines.append(f"  - told by: {_briefs(entry)}")
    lines += ["", f"## Developing stories ({len(memory.developing)})", ""]
    if not memory.developing:
        lines.append("_No story seen before has anything new in this run._")
    for entry in memory.developing:
        lines += [f"### {escape(entry.title)}", "",
                  f"_`{entry.story_id}` · first seen {entry.first_seen} · {entry.documents} documents · "
                  f"{escape(entry.note)}_", "", f"- this run: {_briefs(entry)}"]
        if entry.conflicts:
            lines.append(f"- conflicts across days ({len(entry.conflicts)}):")
            lines += [f"  - {_change(c)}" for c in entry.conflicts[:ROWS]] + _more(entry.conflicts, "conflicts")
        changed = [c for c in entry.changed_figures if not c.conflict]
        if changed:
            lines.append(f"- changed figures ({len(changed)}):")
            lines += [f"  - {_change(c)}" for c in changed[:ROWS]] + _more(changed, "changed figures")
        if entry.new_figures:
            lines.append(f"- new figures ({len(entry.new_figures)}):")
            lines += [f"  - **{escape(f.text)}** {escape(f.measures or f.unit or '')} ({_where(f)}): {_evidence(f)}"
                      for f in entry.new_figures[:ROWS]] + _more(entry.new_figures, "new figures")
        if entry.new_actors:
            lines.append(f"- new actors ({len(entry.new_actors)}): {', '.join(escape(a) for a in entry.new_actors)}")
        if entry.new_claims:
            lines.append(f"- new claims ({len(entry.new_claims)}):")
            lines += [f"  - **{escape(c.speaker)}**: {escape(one_line(c.statement, 200))} {_evidence(c)}"
                      for c in entry.new_claims[:ROWS]] + _more(entry.new_claims, "new claims")
        lines.append("")
    lines += [f"## Quiet stories ({len(memory.quiet)})", ""]
    if not memory.quiet:
        lines.append("_No story was touched without news._")
    for entry in memory.quiet[:QUIET_ROWS]:
        first = entry.briefs[0].md_path if entry.briefs else ""
        title = _link(entry.title, first) if first else escape(entry.title)
        lines.append(f"- {title} · `{entry.story_id}` · first seen {entry.first_seen} · {escape(entry.note)}")
    if len(memory.quiet) > QUIET_ROWS:
        lines.append(f"- _{len(memory.quiet) - QUIET_ROWS} more quiet stories in digest.json_")
    return [*lines, ""]


def _quantities(timeline: StoryTimeline) -> list[tuple[FigureValue, list[FigureValue]]]:
    """The story's figures grouped by quantity (same unit and what is measured), in night order."""
    groups: list[tuple[Figure, FigureValue, list[FigureValue]]] = []
    for night in timeline.nights:
        for value in night.figures:
            figure = Figure(text=value.text, value=value.value, unit=value.unit, measures=value.measures)
            for representative, first, members in groups:
                if (same_quantity(representative, figure) if value.unit or first.unit
                        else same_context(first.context, value.context)):
                    members.append(value)
                    break
            else:
                groups.append((figure, value, [value]))
    return [(first, members) for _, first, members in groups]


def _what(value: FigureValue) -> str:
    return escape(value.measures or value.unit or "“" + " ".join(value.context) + "”")


def timeline_lines(timeline: StoryTimeline, *, figures: int = ROWS) -> list[str]:
    nights = len(timeline.nights)
    lines = [f"## {escape(timeline.title)}", "",
             f"_`{timeline.story_id}` · first seen {timeline.first_seen} · last seen {timeline.last_seen} · "
             f"{timeline.documents} document{'s' if timeline.documents != 1 else ''} over {nights} "
             f"night{'s' if nights != 1 else ''}_", ""]
    for night in timeline.nights:
        briefs = ", ".join(_link(b.title, b.md_path) + ("" if b.status in ("added", "known") else f" ({b.status})")
                           for b in night.briefs)
        lines.append(f"- {night.night}: {briefs}")
    quantities = [(first, values) for first, values in _quantities(timeline) if len(values) > 1 or figures > ROWS]
    quantities.sort(key=lambda pair: -len(pair[1]))
    if quantities:
        lines += ["", "Figures over time:", ""]
        for first, values in quantities[:figures]:
            steps = " → ".join(
                f"{escape(v.text)} ({v.night}{', ' + escape(v.source) if v.source else ''})" for v in values
            )
            lines.append(f"- **{_what(first)}**: {steps}")
    return [*lines, ""]


def render_story_list(timelines: Sequence[StoryTimeline]) -> str:
    lines = [f"# Stories ({len(timelines)})", ""]
    for timeline in timelines:
        lines += timeline_lines(timeline, figures=4)
    return "\n".join(lines)


def render_story(timeline: StoryTimeline) -> str:
    return "\n".join(timeline_lines(timeline, figures=1000))
