"""The nightly digest as Markdown (digest.md): top stories, actors across documents, figures, conflicts.

Links are relative to the digest's folder, so the file reads the same in a terminal, an editor or a
Markdown viewer opened on the output folder. Long tables are cut with a line saying how much was left
out; the digest model and the briefs keep everything.
"""

from __future__ import annotations

from summarizer.brief_language import language_name
from summarizer.digest import Digest, EvidenceRef
from summarizer.render.markdown import escape, figure_value
from summarizer.render.stories_markdown import memory_lines
from summarizer.text import one_line

ACTOR_ROWS = 40
FIGURE_ROWS = 100
_QUOTE_MAX = 160


def _link_text(text: str) -> str:
    return escape(" ".join(text.split())).replace("[", "\\[").replace("]", "\\]")


def _quote(text: str) -> str:
    return escape(one_line(text, _QUOTE_MAX))


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {plural or word + 's'}"


class _Links:
    def __init__(self, digest: Digest) -> None:
        self._by_id = {link.id: link for link in digest.briefs}

    def title(self, brief_id: str) -> str:
        link = self._by_id[brief_id]
        return f"[{_link_text(link.title or link.id)}]({link.md_path})"

    def short(self, brief_id: str) -> str:
        return f"[{_link_text(brief_id)}]({self._by_id[brief_id].md_path})"

    def evidence(self, ref: EvidenceRef, *, with_brief: bool = True) -> str:
        link = self._by_id[ref.brief]
        where = f"chars {ref.start}–{ref.end}" if ref.start is not None else "not found in source"
        if ref.alignment.value not in ("exact", "unaligned"):
            where += f", {ref.alignment.value}"
        target = f"[{_link_text(ref.brief)} {where}]({link.md_path})" if with_brief else f"[{where}]({link.md_path})"
        return f"“{_quote(ref.quote)}” ({target})"


def render_digest_markdown(digest: Digest) -> str:
    links = _Links(digest)
    lines = _header(digest)
    if digest.memory is not None:  # stories across nights first: what the reader of yesterday's wants
        lines += memory_lines(digest.memory)
    for section in (_stories, _actors, _figures, _conflicts, _not_summarized, _all_briefs):
        lines += section(digest, links)
    if digest.footer:
        lines += ["---", "", *(f"_{escape(line)}_" for line in digest.footer), ""]
    return "\n".join(lines)


def _header(digest: Digest) -> list[str]:
    stamp = digest.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    facts = [
        _plural(digest.documents, "document"),
        _plural(len(digest.actors), "actor"),
        _plural(len(digest.figures), "figure"),
        _plural(len(digest.conflicts), "conflict"),
    ]
    if digest.failed:
        facts.append(f"{len(digest.failed)} not summarized")
    if digest.run_id:
        facts.append(f"run {digest.run_id}")
    return [f"# Nightly digest, {stamp}", "", f"_{' · '.join(facts)}_", "", *_languages(digest)]


def _languages(digest: Digest) -> list[str]:
    """With several source languages: how many of each, and how far actors are merged across them."""
    if len(digest.languages) < 2:
        return []
    counts = ", ".join(f"{language_name(code)} {count}" for code, count in digest.languages.items())
    return [
        f"Documents in {len(digest.languages)} languages ({counts}). Actors are merged across languages only where "
        "a brief gives one name as an alias of the other; differently spelled names that no brief links stay "
        "separate actors below (the digest translates no name).",
        "",
    ]


def _stories(digest: Digest, links: _Links) -> list[str]:
    lines = ["## Top stories", ""]
    if not digest.stories:
        lines += ["_No briefs in this digest._"]
    for rank, story in enumerate(digest.stories, 1):
        summary = f": {escape(' '.join(story.summary.split()))}" if story.summary else ""
        lines.append(f"{rank}. **{links.title(story.brief)}**{summary}")
        facts = [
            _plural(story.claims, "claim"),
            _plural(story.figures, "figure"),
            _plural(story.uncertainties, "uncertainty", "uncertainties"),
        ]
        if story.related:
            facts.insert(0, f"shares actors with {_plural(len(story.related), 'other document')}")
        if story.coverage:
            facts.insert(0, f"told by {_plural(len(story.coverage) + 1, 'document')}")
        lines.append(f"   _{' · '.join(facts)}_")
        if story.shared_actors:
            lines.append(f"   _shared actors: {', '.join(escape(name) for name in story.shared_actors[:6])}_")
        if story.coverage:
            more = f" and {len(story.coverage) - 8} more" if len(story.coverage) > 8 else ""
            lines.append(f"   _also told by: {', '.join(links.short(b) for b in story.coverage[:8])}{more}_")
        lines += [f"   > {links.evidence(ref, with_brief=False)}" for ref in story.evidence[:1]]
    return [*lines, ""]


def _actors(digest: Digest, links: _Links) -> list[str]:
    lines = [f"## Actors across documents ({len(digest.actors)})", ""]
    if not digest.actors:
        return lines
    lines += ["| actor | kind | documents | in | first evidence |", "| --- | --- | ---: | --- | --- |"]
    for actor in digest.actors[:ACTOR_ROWS]:
        name = f"**{escape(actor.name)}**"
        if actor.aliases:
            name += f" (also: {', '.join(escape(a) for a in actor.aliases[:4])})"
        if len(digest.languages) > 1 and actor.languages:
            name += f" [{', '.join(actor.languages)}]"
        where = ", ".join(links.short(b) for b in actor.briefs[:6])
        if len(actor.briefs) > 6:
            where += f" and {len(actor.briefs) - 6} more"
        first = links.evidence(actor.evidence[0], with_brief=False) if actor.evidence else ""
        lines.append(f"| {name} | {actor.kind.value} | {actor.documents} | {where} | {first} |")
    if len(digest.actors) > ACTOR_ROWS:
        lines += ["", f"_{len(digest.actors) - ACTOR_ROWS} more actors, each in fewer documents: see the briefs._"]
    return [*lines, ""]


def _figures(digest: Digest, links: _Links) -> list[str]:
    lines = [f"## Figures ({len(digest.figures)})", ""]
    if not digest.figures:
        return lines
    lines += [
        "| as written | value | unit | measures | qualifier | date | source | evidence |",
        "| --- | ---: | --- | --- | --- | --- | --- | --- |",
    ]
    for fig in digest.figures[:FIGURE_ROWS]:
        qualifier = fig.qualifier.value.replace("_", " ")
        value = figure_value(fig.value, fig.value_max)
        cells = [fig.text, value, fig.unit or "", fig.measures or "", qualifier, fig.date or "", fig.source or ""]
        row = [escape(" ".join(cell.split())) for cell in cells]
        row.append(links.evidence(fig.evidence) if fig.evidence else links.short(fig.brief))
        lines.append("| " + " | ".join(row) + " |")
    if len(digest.figures) > FIGURE_ROWS:
        lines += ["", f"_{len(digest.figures) - FIGURE_ROWS} more figures in the briefs._"]
    return [*lines, ""]


def _conflicts(digest: Digest, links: _Links) -> list[str]:
    lines = [f"## Conflicts across documents ({len(digest.conflicts)})", ""]
    if not digest.conflicts:
        return [*lines, "_No quantity is given different values by different documents or sources._", ""]
    for conflict in digest.conflicts:
        unit = f" ({escape(conflict.unit)})" if conflict.unit and conflict.unit != conflict.quantity else ""
        values = " vs ".join(escape(v) for v in conflict.values)
        where = _plural(len(conflict.briefs), "document")
        lines.append(f"- **{escape(conflict.quantity)}**{unit}: {values}, in {where}")
        for fig in conflict.figures:
            said = f" according to {escape(fig.source)}" if fig.source else ""
            evidence = links.evidence(fig.evidence) if fig.evidence else links.short(fig.brief)
            lines.append(f"  - {escape(fig.text)}{said}: {evidence}")
    return [*lines, ""]


def _not_summarized(digest: Digest, links: _Links) -> list[str]:
    if not digest.failed:
        return []
    lines = [f"## Not summarized ({len(digest.failed)})", ""]
    lines += [f"- `{doc.path}`: {escape(doc.error)}" for doc in digest.failed]
    return [*lines, ""]


def _all_briefs(digest: Digest, links: _Links) -> list[str]:
    lines = [f"## All briefs ({len(digest.briefs)})", ""]
    for link in digest.briefs:
        source = f" · from `{link.source_path}`" if link.source_path else ""
        lines.append(f"- [{_link_text(link.title or link.id)}]({link.md_path}) · [json]({link.json_path}){source}")
    return [*lines, ""]
