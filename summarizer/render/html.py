"""Self-contained HTML pages: a Brief's review page (the source text with every evidence span
highlighted) and the nightly digest.

The page makes no request of any kind: CSS and JS are inlined and allowed by hash in a strict
Content-Security-Policy, and all article text goes through Jinja2's autoescaping. Data for the script
sits in a JSON block whose `<`, `>` and `&` are escaped, so article text can never close it.

Overlapping evidence stays readable because the text is cut at every span boundary into segments,
and each segment lists every item that covers it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, Template, select_autoescape
from markupsafe import Markup, escape

from summarizer.digest import Digest, EvidenceRef
from summarizer.render.markdown import figure_value
from summarizer.schema import Alignment, Attribution, Brief, Evidence, Figure, Qualifier, UncertaintyKind
from summarizer.text import one_line

FIELDS: dict[str, str] = {
    "actors": "Actors",
    "claims": "Claims",
    "figures": "Figures",
    "uncertainties": "Uncertainties",
    "summary": "Summary",
}
_SINGULAR = {
    "actors": "Actor",
    "claims": "Claim",
    "figures": "Figure",
    "uncertainties": "Uncertainty",
    "summary": "Summary",
}
_ATTRIBUTION = {
    Attribution.direct_quote: "direct quote",
    Attribution.reported: "reported",
    Attribution.anonymous_source: "anonymous source",
    Attribution.outlet: "the outlet itself",
}
_REMOVED = "removed"


# --- segmentation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    key: str


@dataclass(frozen=True)
class TextSegment:
    """text[start:end], covered by the spans named in `keys` (in the order the spans were given)."""

    start: int
    end: int
    keys: tuple[str, ...]


def split_at_spans(length: int, spans: list[Span]) -> list[TextSegment]:
    """Cut [0, length) at every span boundary; each piece lists the spans covering all of it.

    Spans are clamped to the text; empty ones are ignored. Keys must be unique.
    """
    cuts = _cuts(length, [(span.start, span.end, span.key) for span in spans])
    return [TextSegment(start, end, keys) for start, end, keys in cuts]


def _cuts(length: int, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, tuple[str, ...]]]:
    """split_at_spans on spans and pieces as plain tuples (start, end, key(s)): a page makes many, and a
    frozen dataclass costs several times a tuple to make."""
    order = {key: i for i, (_, _, key) in enumerate(spans)}
    starts: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    points = {0, length}
    for start, end, key in spans:
        start, end = max(0, start), min(length, end)
        if end <= start:
            continue
        starts.setdefault(start, []).append(key)
        ends.setdefault(end, []).append(key)
        points.update((start, end))
    bounds = sorted(points)
    active: set[str] = set()
    out: list[tuple[int, int, tuple[str, ...]]] = []
    for pos, nxt in zip(bounds, bounds[1:]):
        if pos in ends:
            active.difference_update(ends[pos])
        if pos in starts:
            active.update(starts[pos])
        out.append((pos, nxt, tuple(sorted(active, key=order.__getitem__)) if active else ()))
    return out


# --- view model -----------------------------------------------------------------------------------


@dataclass
class EvidenceView:
    id: str
    quote: str
    alignment: str
    start: int | None
    end: int | None
    page: int | None = None
    # Whether the quote was found in the source: asked for many times per page, so set once (a view is
    # not changed once made).
    aligned: bool = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.aligned = self.start is not None and self.alignment != "unaligned"


@dataclass
class ItemView:
    id: str
    field: str
    label: str
    details: list[str]
    evidence: list[EvidenceView]
    badges: list[tuple[str, str]] = dataclass_field(default_factory=list)  # (text, css class)
    conflict: bool = False
    # Likewise set once, from the evidence given: whether any of it was found in the source, and the id
    # of the first that was (where the item's link goes; "" if none).
    aligned: bool = dataclass_field(init=False, repr=False, compare=False)
    first_aligned: str = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.first_aligned = next((ev.id for ev in self.evidence if ev.aligned), "")
        self.aligned = bool(self.first_aligned)


@dataclass
class SegmentView:
    text: str
    classes: str
    items: str
    evidence: str
    anchors: list[str]


def _evidence(item_id: str, evidence: list[Evidence]) -> list[EvidenceView]:
    return [
        EvidenceView(f"{item_id}-{i}", ev.quote, ev.alignment.value, ev.start, ev.end, ev.page)
        for i, ev in enumerate(evidence)
    ]


def _figure_details(fig: Figure) -> list[str]:
    qualifier = "" if fig.qualifier is Qualifier.exact else fig.qualifier.value.replace("_", " ")
    parts = [
        " ".join(p for p in (qualifier, figure_value(fig.value, fig.value_max), fig.unit or "") if p),
        fig.measures or "",
        fig.date or "",
        f"per {fig.source}" if fig.source else "",
    ]
    return [p for p in parts if p]


def _overlaps(a: list[EvidenceView], b: list[EvidenceView]) -> bool:
    return any(
        x.aligned and y.aligned and x.start < y.end and y.start < x.end  # type: ignore[operator]
        for x in a
        for y in b
    )


def build_items(brief: Brief) -> list[ItemView]:
    """Every item of the brief, in field order, with ids the page uses to link list and text."""
    items: list[ItemView] = []
    if brief.summary or brief.summary_evidence:
        items.append(
            ItemView(
                "summary-0", "summary", brief.summary or "(summary)", [], _evidence("summary-0", brief.summary_evidence)
            )
        )
    for i, actor in enumerate(brief.actors):
        details = [actor.kind.value]
        if actor.role:
            details.append(actor.role)
        if actor.aliases:
            details.append("also " + ", ".join(actor.aliases))
        items.append(ItemView(f"actors-{i}", "actors", actor.name, details, _evidence(f"actors-{i}", actor.evidence)))
    for i, claim in enumerate(brief.claims):
        view = ItemView(
            f"claims-{i}",
            "claims",
            claim.statement,
            [claim.speaker, _ATTRIBUTION[claim.attribution]],
            _evidence(f"claims-{i}", claim.evidence),
        )
        if claim.hedged:
            view.badges.append(("hedged", "hedged"))
        items.append(view)
    mismatched = set(brief.verification.figure_mismatches)
    for i, fig in enumerate(brief.figures):
        item_id = f"figures-{i}"
        view = ItemView(item_id, "figures", fig.text, _figure_details(fig), _evidence(item_id, fig.evidence))
        if fig.text in mismatched:
            view.badges.append(("number not in its evidence", "warn"))
        items.append(view)
    for i, unc in enumerate(brief.uncertainties):
        details = [unc.kind.value.replace("_", " ")] + ([unc.who] if unc.who else [])
        item_id = f"uncertainties-{i}"
        view = ItemView(item_id, "uncertainties", unc.statement, details, _evidence(item_id, unc.evidence))
        view.conflict = unc.kind is UncertaintyKind.conflicting
        items.append(view)
    _mark_conflicting_figures(items)
    _mark_who_found(brief, items)
    for view in items:
        if view.conflict:
            view.badges.insert(0, ("conflicting", "conflict"))
        if view.aligned and any(not ev.aligned for ev in view.evidence):
            view.badges.append(("some evidence not found", "warn"))
    return items


def _mark_who_found(brief: Brief, items: list[ItemView]) -> None:
    """In a brief where both the model and the rules found items, say which found which; flag unsupported ones."""
    found = {
        f"{name}-{i}": (item.found_by, item.unsupported)
        for name in ("actors", "claims", "figures", "uncertainties")
        for i, item in enumerate(getattr(brief, name))
    }
    mixed = len({who for who, _ in found.values() if who is not None}) > 1
    for view in items:
        who, unsupported = found.get(view.id, (None, None))
        if mixed and who is not None:
            view.badges.append((f"found by {who.value}", f"by-{who.value}"))
        if unsupported is not None:
            view.badges.append((f"unsupported: {unsupported.value.replace('_', ' ')}", "warn"))


def _mark_conflicting_figures(items: list[ItemView]) -> None:
    # Verification reports conflicting figures as a "conflicting" uncertainty citing them: a figure whose
    # evidence overlaps such an uncertainty's evidence is one side of the conflict.
    conflicts = [v for v in items if v.field == "uncertainties" and v.conflict]
    for view in items:
        if view.field == "figures" and any(_overlaps(view.evidence, c.evidence) for c in conflicts):
            view.conflict = True


_FIELD_ORDER = {name: i for i, name in enumerate(FIELDS)}


def build_segments(text: str, items: list[ItemView], removed: list[tuple[int, int]] | None = None) -> list[SegmentView]:
    """The source text as segments, each with the classes, items and evidence ids covering it."""
    owner: dict[str, ItemView] = {}
    spans: list[tuple[int, int, str]] = []
    for item in items:
        for ev in item.evidence:
            if ev.aligned:
                owner[ev.id] = item
                spans.append((ev.start, ev.end, ev.id))  # type: ignore[arg-type]
    # Boilerplate that cleaning set aside is shown dimmed, since no engine read it.
    spans += [(s, e, f"{_REMOVED}-{i}") for i, (s, e) in enumerate(removed or [])]
    started: set[str] = set()
    out: list[SegmentView] = []
    for start, end, keys in _cuts(len(text), spans):
        if not keys:  # most of the text: no span covers it
            out.append(SegmentView(text[start:end], "", "", "", []))
            continue
        evs = [k for k in keys if k in owner]
        covering = list(dict.fromkeys(owner[k].id for k in evs))
        fields = sorted({owner[k].field for k in evs}, key=_FIELD_ORDER.__getitem__)
        classes = ["seg"] if evs else []
        classes += [f"f-{f}" for f in fields]
        if any(owner[k].conflict for k in evs):
            classes.append("conflict")
        if len(covering) > 1:
            classes.append("multi")
        if len(evs) != len(keys):
            classes.append("removed")
        anchors = [k for k in evs if k not in started]
        started.update(anchors)
        out.append(
            SegmentView(text[start:end], " ".join(classes), " ".join(covering), " ".join(evs), anchors)
        )
    return out


def source_html(segments: list[SegmentView]) -> Markup:
    """The source text's markup: each segment as a span with its classes and ids (plain text where no span
    covers it), an empty anchor before the segment where each evidence span starts. Built here rather than
    in the template: it is most of a page's pieces, and Jinja's per-piece cost made it most of its time.
    The text goes through markupsafe's escape, as the template's autoescaping would; ids and classes are
    ours (field names, numbers, fixed words: see build_items), with nothing to escape."""
    out: list[str] = []
    for seg in segments:
        for anchor in seg.anchors:
            out.append(f'<span class="anchor" id="ev-{anchor}"></span>')
        if not seg.classes:
            out.append(escape(seg.text))
        elif seg.items:
            out.append(f'<span class="{seg.classes}" data-items="{seg.items}" data-ev="{seg.evidence}">'
                       f"{escape(seg.text)}</span>")
        else:
            out.append(f'<span class="{seg.classes}">{escape(seg.text)}</span>')
    return Markup("".join(out))


def list_item(item: ItemView) -> Markup:
    """One item of the brief's lists (an <li>): its link to the text, badges, details and quotes. Built here
    for the reason source_html is; the template puts it in place (indented, on a line of its own). Words
    from the brief are escaped; ids, alignments and numbers are ours, with nothing to escape."""
    out = [
        f'<li class="item{" is-conflict" if item.conflict else ""}" id="item-{item.id}">\n'
        f'        <a class="item-link" href="#ev-{item.first_aligned}" data-item="{item.id}">{escape(item.label)}</a>\n'
    ]
    out += [f'<span class="badge b-{escape(css)}">{escape(text)}</span>' for text, css in item.badges]
    if item.details:
        out.append(f'<span class="details">{escape(" · ".join(item.details))}</span>')
    first = item.evidence[0]
    if len(item.evidence) > 1:
        out.append('        <ul class="quotes">\n')
        for ev in item.evidence:
            if ev.aligned:
                page = f"p. {ev.page}, " if ev.page else ""
                alignment = f", {ev.alignment}" if ev.alignment != "exact" else ""
                out.append(
                    f'          <li><a class="quote" href="#ev-{ev.id}" data-item="{item.id}" data-ev="{ev.id}">'
                    f'{escape(ev.quote)}</a> <span class="align">{page}{ev.start}–{ev.end}{alignment}</span></li>\n'
                )
            else:
                out.append(f'          <li><span class="quote unfound">{escape(ev.quote)}</span> '
                           '<span class="align">not found</span></li>\n')
        out.append("        </ul>\n")
    elif first.alignment != "exact":
        page = f"p. {first.page} · " if first.page else ""
        out.append(f'        <span class="align">{page}{first.alignment} match</span>\n')
    elif first.page:
        out.append(f'        <span class="align">p. {first.page}</span>\n')
    out.append("      </li>")
    return Markup("".join(out))


# --- page -----------------------------------------------------------------------------------------


def json_for_script(data: Any) -> Markup:
    """JSON safe inside <script type="application/json">: nothing in it can end the element or open markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "&<>\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)


def _csp_hash(content: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii") + "'"


@dataclass(frozen=True)
class Assets:
    css: Markup
    js: Markup
    csp: str


@cache
def _asset(name: str) -> str:
    text = files("summarizer.render").joinpath("templates", name).read_text(encoding="utf-8")
    closing = "</style" if name.endswith(".css") else "</script"
    if closing in text.lower():
        raise ValueError(f"{name} contains {closing}>, which would end its inline element early")
    return text


@cache  # the same files and hashes for every page of a process
def assets(css_names: tuple[str, ...], js_name: str) -> Assets:
    """Inline CSS and JS, and a Content-Security-Policy that allows exactly them and nothing else."""
    css, js = "\n".join(_asset(name) for name in css_names), _asset(js_name)
    csp = (
        f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
        "img-src 'none'; font-src 'none'; connect-src 'none'; media-src 'none'; object-src 'none'; "
        "frame-src 'none'; base-uri 'none'; form-action 'none'"
    )
    # Our own files, hashed above: they must reach the page byte for byte, so they bypass autoescaping.
    return Assets(Markup(css), Markup(js), csp)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("summarizer.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates ship with the package and do not change while it runs: no stat(2) of the
        # template file for every page.
        auto_reload=False,
    )
    env.filters["number"] = lambda n: f"{n:,}"
    return env


@dataclass
class NotFoundRow:
    field: str
    text: str
    quotes: list[str]
    reason: str


def _not_found(brief: Brief, items: list[ItemView]) -> list[NotFoundRow]:
    """Items whose evidence is not in the source: kept ones (--keep-unaligned) first, then dropped ones.

    With --keep-unaligned grounding both keeps such an item and reports it as dropped: list it once.
    """
    reasons = {(drop.field, drop.text): drop.reason for drop in brief.dropped}
    rows: list[NotFoundRow] = []
    for item in items:
        if item.field != "summary" and not item.aligned:
            reason = reasons.pop((item.field, item.label), "evidence not found in the source")
            quotes = [ev.quote for ev in item.evidence]
            rows.append(NotFoundRow(item.field, item.label, quotes, f"kept, flagged unaligned: {reason}"))
    rows += [
        NotFoundRow(drop.field, drop.text, drop.quotes, drop.reason)
        for drop in brief.dropped
        if (drop.field, drop.text) in reasons
    ]
    return rows


def shown_path(path: str | None) -> str | None:
    """The source's path as the page shows it: an absolute path only by its file name, so a page that is
    shared does not carry the home folder or server layout it was made on."""
    if not path:
        return None
    if path.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:[\\/]", path):
        return re.split(r"[\\/]", path.rstrip("/\\"))[-1] or None
    return path


def render_html(brief: Brief) -> str:
    """The review page for one brief, as a single HTML document."""
    return _review_template().render(**review_context(brief))


@cache
def _review_template() -> Template:
    return environment().get_template("review.html.j2")


def review_context(brief: Brief) -> dict[str, Any]:
    """What review.html.j2 is rendered with (`segments`, which it shows as `source_html`, included)."""
    items = build_items(brief)
    text = brief.source.text
    segments = build_segments(text, items, brief.source.removed)
    # Items with no evidence in the source are listed apart (see _not_found), not among the highlighted ones.
    by_field = {f: [v for v in items if v.field == f and (v.aligned or f == "summary")] for f in FIELDS}
    spans_per_field = {f: sum(1 for v in by_field[f] for ev in v.evidence if ev.aligned) for f in FIELDS}
    data = {
        "singular": _SINGULAR,
        "items": {
            v.id: {
                "field": v.field,
                "label": v.label,
                "conflict": v.conflict,
                "evidence": [ev.id for ev in v.evidence if ev.aligned],
            }
            for v in items
        },
    }
    page = assets(("base.css", "review.css"), "review.js")
    return dict(
        brief=brief,
        title=brief.title or brief.source.title or "Untitled brief",
        fields=FIELDS,
        by_field=by_field,
        spans_per_field=spans_per_field,
        summary=by_field["summary"][0] if by_field["summary"] else None,
        segments=segments,
        source_html=source_html(segments),
        list_item=list_item,
        has_removed=any("removed" in s.classes.split() for s in segments),
        not_found=_not_found(brief, items),
        verification=brief.verification,
        provenance=brief.provenance,
        source_path=shown_path(brief.source.path),
        data_json=json_for_script(data),
        page=page,
    )


# --- the nightly digest ---------------------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_QUOTE_MAX = 220


def relative_href(path: str | None) -> str | None:
    """A link to a file beside the digest, or None for anything that could leave the folder's files.

    Paths come from the digest, not from articles, but a scheme ("javascript:", "https:") or a
    protocol-relative "//host" must never become a link.
    """
    if not path or _SCHEME.match(path) or path.startswith(("/", "\\")) or "\\" in path:
        return None
    return quote(path, safe="/#-._~")


def _short(text: str, limit: int = _QUOTE_MAX) -> str:
    return one_line(text, limit)


class _DigestLinks:
    """Where each brief and each quote of the digest links to (the brief's review page when there is one),
    and the markup of those links.

    The quote and brief links are built here rather than by template macros: a night of 10,000 briefs
    makes ~200,000 of them, and a Jinja macro call costs ~100 µs where this costs a few. `mark` is put
    before every link to a brief's file (see `LINK_MARK`)."""

    def __init__(self, digest: Digest, brief_pages: Mapping[str, str], mark: str = ""):
        self._links = {link.id: link for link in digest.briefs}
        self._pages = brief_pages
        self._mark = mark

    def title(self, brief_id: str) -> str:
        link = self._links.get(brief_id)
        return (link.title or link.id) if link else brief_id

    def brief(self, brief_id: str) -> str | None:
        page = relative_href(self._pages.get(brief_id))
        if page:
            return page
        link = self._links.get(brief_id)
        return relative_href(link.md_path) if link else None

    def evidence(self, ref: EvidenceRef, position: int = 0) -> str | None:
        """The quote in the brief's page (its evidence anchor there), else the brief's Markdown."""
        page = relative_href(self._pages.get(ref.brief))
        if page and ref.start is not None and ref.alignment is not Alignment.unaligned:
            return f"{page}#ev-{ref.field}-{ref.index}-{position}"
        return self.brief(ref.brief)

    def file(self, path: str | None) -> Markup | None:
        """A link target for one of a brief's files (its Markdown, its JSON), or None."""
        to = relative_href(path)
        return None if to is None else Markup(self._mark) + to

    def quote(self, ref: EvidenceRef, position: int = 0, with_title: bool = True) -> Markup:
        """A quote, where it is in its source, and a link to it."""
        to = self.evidence(ref, position)
        span: tuple[Any, ...] = (ref.start, ref.end)  # an aligned quote has both ends
        where = ("chars %d–%d" % span) if ref.start is not None else "not found in the source"
        parts = ['<blockquote class="ev"><span class="quote">', escape(_short(ref.quote)),
                 '</span>\n  <span class="where">']
        if with_title:
            parts += [escape(self.title(ref.brief)), " · "]
        if to:
            parts += ['<a href="', self._mark, escape(to), '">', escape(where), "</a>"]
        else:
            parts.append(escape(where))
        if ref.alignment.value not in ("exact", "unaligned"):
            parts += [" · ", escape(ref.alignment.value), " match"]
        parts.append("</span></blockquote>")
        return Markup("".join(parts))

    def brief_link(self, brief_id: str, text: str | None = None) -> Markup:
        """A brief's title (or `text`), linked to the brief."""
        to = self.brief(brief_id)
        shown = escape(text or self.title(brief_id))
        return Markup(f'<a href="{self._mark}{escape(to)}">{shown}</a>' if to else shown)


def render_digest_html(digest: Digest, brief_pages: Mapping[str, str] | None = None) -> str:
    """The nightly digest as one self-contained HTML page.

    `brief_pages` maps a brief id to its review page (a path relative to the digest, e.g. "id.html");
    quotes then open that page at their span. Without it, links go to each brief's Markdown file.
    """
    return "".join(digest_html_chunks(digest, brief_pages))


def digest_html_chunks(
    digest: Digest, brief_pages: Mapping[str, str] | None = None, *, mark: str = ""
) -> Iterator[str]:
    """`render_digest_html`'s page in pieces (Jinja's `generate`), for a caller that writes them as they
    come: a night of 10,000 briefs makes a page of ~60 million characters.

    `mark` goes before every link to a brief's file, whole inside one piece (see `LINK_MARK`)."""
    links = _DigestLinks(digest, brief_pages or {}, mark)
    page = assets(("base.css", "digest.css"), "digest.js")
    return environment().get_template("digest.html.j2").generate(
        digest=digest,
        links=links,
        quote=links.quote,
        brief_link=links.brief_link,
        href=relative_href,
        short=_short,
        figure_value=figure_value,
        page=page,
    )


# Marks the links to briefs' files in a page rendered once for copies of it kept in different folders,
# each of which replaces it with its own way up to the briefs (`prefixed_alike`). A raw "<" is never in
# the page's text (escaped) and this one is in none of its markup: the mark can stand for nothing else.
LINK_MARK = "<@>"


def prefixed_alike(paths: Iterable[str], prefix: str) -> bool:
    """Whether each path's link, for `prefix` before the path, is `prefix` before the path's link: then a
    page rendered with `LINK_MARK` and the mark replaced by `prefix` is the page rendered for the
    prefixed paths. (An absolute path links nowhere, but the prefix would make it a link.)"""
    for path in paths:
        link = relative_href(path)
        if relative_href(prefix + path) != (None if link is None else prefix + link):
            return False
    return True
