"""A Brief as Markdown: readable raw in a terminal, and rendered anywhere Markdown is."""

from __future__ import annotations

from collections.abc import Callable

from summarizer.schema import Actor, Brief, Claim, Evidence, Figure, FoundBy, Uncertainty
from summarizer.text import one_line

_QUOTE_MAX = 240


def _quote(ev: Evidence) -> str:
    text = one_line(ev.quote, _QUOTE_MAX)
    where = f"{ev.start}–{ev.end}" if ev.start is not None else "not found in source"
    if ev.page is not None:
        where = f"p. {ev.page}, {where}"
    flag = "" if ev.alignment.value == "exact" else f", {ev.alignment.value}"
    return f"  > “{escape(text)}” _[{where}{flag}]_"


def _origin(brief: Brief) -> str:
    """Where the text came from, when not a plain file: the URL that answered, a PDF's page count."""
    src, parts = brief.source, []
    if src.final_url or src.url:
        fetched = f" (fetched {src.fetched_at.strftime('%Y-%m-%d %H:%M UTC')})" if src.fetched_at else ""
        parts.append(escape(str(src.final_url or src.url)) + fetched)
    if src.page_starts:
        parts.append(f"{len(src.page_starts)} PDF page{'s' * (len(src.page_starts) != 1)}")
    return "".join(f"{p}, " for p in parts)


def escape(text: str) -> str:
    """Article text made inert as Markdown (no tables, emphasis or HTML from the source)."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_")


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def figure_value(value: float | None, value_max: float | None) -> str:
    """A figure's normalised value for a table cell: "12,000", "1.5", or a range "10–12"."""
    text = format_number(value)
    if value_max is not None:
        text = f"{text}–{format_number(value_max)}"
    return text


def _who_found(brief: Brief) -> Callable[[Actor | Claim | Figure | Uncertainty], str]:
    """A marker for items the rules found, in a brief where the model found others (the cross-check's)."""
    items: list[Actor | Claim | Figure | Uncertainty] = [*brief.actors, *brief.claims, *brief.figures, *brief.uncertainties]
    mixed = len({i.found_by for i in items if i.found_by is not None}) > 1
    return lambda item: " _(found by rules)_" if mixed and item.found_by is FoundBy.rules else ""


def render_markdown(brief: Brief) -> str:
    by = _who_found(brief)
    lines: list[str] = [f"# {escape(brief.title)}", ""]
    if brief.summary:
        lines += [escape(brief.summary), ""]

    lines += [f"## Actors ({len(brief.actors)})", ""]
    for actor in brief.actors:
        role = f" — {escape(actor.role)}" if actor.role else ""
        aliases = f" (also: {', '.join(escape(a) for a in actor.aliases)})" if actor.aliases else ""
        lines.append(f"- **{escape(actor.name)}** _{actor.kind.value}_{role}{aliases}{by(actor)}")
        lines += [_quote(ev) for ev in actor.evidence[:1]]
    lines.append("")

    lines += [f"## Claims ({len(brief.claims)})", ""]
    for claim in brief.claims:
        hedge = ", hedged" if claim.hedged else ""
        lines.append(
            f"- **{escape(claim.speaker)}** _({claim.attribution.value}{hedge})_: {escape(claim.statement)}{by(claim)}"
        )
        lines += [_quote(ev) for ev in claim.evidence]
    lines.append("")

    lines += [f"## Figures ({len(brief.figures)})", ""]
    if brief.figures:
        lines += [
            "| as written | value | unit | measures | qualifier | date | source |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for fig in brief.figures:
            cells = [
                fig.text + (" (found by rules)" if by(fig) else ""),
                figure_value(fig.value, fig.value_max),
                fig.unit or "",
                fig.measures or "",
                fig.qualifier.value.replace("_", " "),
                fig.date or "",
                fig.source or "",
            ]
            lines.append("| " + " | ".join(escape(" ".join(c.split())) for c in cells) + " |")
    lines.append("")

    lines += [f"## Uncertainties ({len(brief.uncertainties)})", ""]
    for unc in brief.uncertainties:
        who = f" — {escape(unc.who)}" if unc.who else ""
        lines.append(f"- **{unc.kind.value.replace('_', ' ')}**: {escape(unc.statement)}{who}{by(unc)}")
        lines += [_quote(ev) for ev in unc.evidence]
    lines.append("")

    if brief.dropped:
        lines += [f"## Dropped: evidence not found or not supporting the item ({len(brief.dropped)})", ""]
        for item in brief.dropped:
            lines.append(f"- {item.field}: {escape(item.text)} — {item.reason} (`{item.code.value}`)")
        lines.append("")

    check = brief.verification
    if check.figure_mismatches or check.missed_entities or check.missed_numbers or check.missed_figures:
        lines += ["## Verification", ""]
        if check.figure_mismatches:
            lines.append(f"- figures whose number is not in their evidence: {escape('; '.join(check.figure_mismatches))}")
        if check.missed_entities:
            lines.append(f"- named in the source, not among the actors: {escape(', '.join(check.missed_entities))}")
        if check.missed_figures:
            lines.append(f"- figures the rules found that the model missed: {escape('; '.join(check.missed_figures))}")
        if check.unsupported_summary:
            lines.append(f"- summary sentences not supported by the source: {escape(' '.join(check.unsupported_summary))}")
        if check.missed_numbers:
            lines.append(f"- numbers in the source, not among the figures: {escape(', '.join(check.missed_numbers))}")
        lines.append("")

    prov = brief.provenance
    model = f" · model {prov.model}" if prov.model else ""
    prompt = f" · prompt {prov.prompt_version}" if prov.prompt_version else ""
    # Only a model server has requests and tokens to report.
    requests = f" · {prov.attempts} request{'s' * (prov.attempts != 1)}" if prov.usage.total_tokens else ""
    tokens = f" · {prov.usage.total_tokens:,} tokens{requests}" if prov.usage.total_tokens else ""
    src = brief.source
    page = [f"by {escape(src.author)}" if src.author else "", f"published {src.published}" if src.published else ""]
    page += [f"<{src.canonical_url}>" if src.canonical_url else ""]
    lines += [
        "---",
        *([f"_{' · '.join(p for p in page if p)}_", ""] if any(page) else []),
        f"_engine {prov.engine}{model}{prompt}{tokens} · "
        f"source {_origin(brief)}{brief.source.length:,} chars, sha256 {brief.source.sha256[:12]} · "
        f"{prov.created_at.strftime('%Y-%m-%d %H:%M UTC')}_",
        "",
    ]
    return "\n".join(lines)
