"""A Brief as Markdown: readable raw in a terminal, and rendered anywhere Markdown is."""

from __future__ import annotations

from summarizer.schema import Brief, Evidence, Figure

_QUOTE_MAX = 240


def _quote(ev: Evidence) -> str:
    text = " ".join(ev.quote.split())
    if len(text) > _QUOTE_MAX:
        text = text[: _QUOTE_MAX - 1] + "…"
    where = f"{ev.start}–{ev.end}" if ev.start is not None else "not found in source"
    flag = "" if ev.alignment.value == "exact" else f", {ev.alignment.value}"
    return f"  > “{_escape(text)}” _[{where}{flag}]_"


def _escape(text: str) -> str:
    # Keep article text from being read as Markdown structure (tables, emphasis, HTML).
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def _figure_value(fig: Figure) -> str:
    value = _number(fig.value)
    if fig.value_max is not None:
        value = f"{value}–{_number(fig.value_max)}"
    return value


def render_markdown(brief: Brief) -> str:
    lines: list[str] = [f"# {_escape(brief.title)}", ""]
    if brief.summary:
        lines += [_escape(brief.summary), ""]

    lines += [f"## Actors ({len(brief.actors)})", ""]
    for actor in brief.actors:
        role = f" — {_escape(actor.role)}" if actor.role else ""
        aliases = f" (also: {', '.join(_escape(a) for a in actor.aliases)})" if actor.aliases else ""
        lines.append(f"- **{_escape(actor.name)}** _{actor.kind.value}_{role}{aliases}")
        lines += [_quote(ev) for ev in actor.evidence[:1]]
    lines.append("")

    lines += [f"## Claims ({len(brief.claims)})", ""]
    for claim in brief.claims:
        hedge = ", hedged" if claim.hedged else ""
        lines.append(f"- **{_escape(claim.speaker)}** _({claim.attribution.value}{hedge})_: {_escape(claim.statement)}")
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
                fig.text,
                _figure_value(fig),
                fig.unit or "",
                fig.measures or "",
                fig.qualifier.value.replace("_", " "),
                fig.date or "",
                fig.source or "",
            ]
            lines.append("| " + " | ".join(_escape(" ".join(c.split())) for c in cells) + " |")
    lines.append("")

    lines += [f"## Uncertainties ({len(brief.uncertainties)})", ""]
    for unc in brief.uncertainties:
        who = f" — {_escape(unc.who)}" if unc.who else ""
        lines.append(f"- **{unc.kind.value.replace('_', ' ')}**: {_escape(unc.statement)}{who}")
        lines += [_quote(ev) for ev in unc.evidence]
    lines.append("")

    if brief.dropped:
        lines += [f"## Dropped: evidence not found in the source ({len(brief.dropped)})", ""]
        for item in brief.dropped:
            lines.append(f"- {item.field}: {_escape(item.text)} — {item.reason}")
        lines.append("")

    check = brief.verification
    if check.figure_mismatches or check.missed_entities or check.missed_numbers:
        lines += ["## Verification", ""]
        if check.figure_mismatches:
            lines.append(f"- figures whose number is not in their evidence: {_escape('; '.join(check.figure_mismatches))}")
        if check.missed_entities:
            lines.append(f"- named in the source, not among the actors: {_escape(', '.join(check.missed_entities))}")
        if check.missed_numbers:
            lines.append(f"- numbers in the source, not among the figures: {_escape(', '.join(check.missed_numbers))}")
        lines.append("")

    prov = brief.provenance
    model = f" · model {prov.model}" if prov.model else ""
    prompt = f" · prompt {prov.prompt_version}" if prov.prompt_version else ""
    tokens = f" · {prov.usage.total_tokens:,} tokens" if prov.usage.total_tokens else ""
    lines += [
        "---",
        f"_engine {prov.engine}{model}{prompt}{tokens} · {prov.attempts} request(s) · "
        f"source {brief.source.length:,} chars, sha256 {brief.source.sha256[:12]} · "
        f"{prov.created_at.strftime('%Y-%m-%d %H:%M UTC')}_",
        "",
    ]
    return "\n".join(lines)
