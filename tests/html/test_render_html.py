"""The review page without a browser: span segmentation, escaping, the CSP and what the page lists."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from summarizer.render.html import Span, TextSegment, build_items, build_segments, json_for_script, split_at_spans
from summarizer.schema import Actor, Draft
from summarizer.render import to_html
from tests.html.conftest import HOSTILE_TEXT, ev, hostile_brief, make_brief, seed_brief


class _Page(HTMLParser):
    """Every start tag with its attributes, the text of each element id, and raw script/style bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._raw: tuple[str, dict[str, str | None]] | None = None
        self._buf: list[str] = []
        self.text_by_id: dict[str, list[str]] = {}
        self._open_ids: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        self.tags.append((tag, attr))
        if tag in ("script", "style"):
            self._raw, self._buf = (tag, attr), []
        if attr.get("id"):
            self._open_ids.append((tag, attr["id"]))
            self.text_by_id[attr["id"]] = []

    def handle_endtag(self, tag: str) -> None:
        if self._raw and tag == self._raw[0]:
            body = "".join(self._buf)
            if tag == "script":
                self.scripts.append((self._raw[1], body))
            else:
                self.styles.append(body)
            self._raw = None
        for i in range(len(self._open_ids) - 1, -1, -1):
            if self._open_ids[i][0] == tag:
                del self._open_ids[i]
                break

    def handle_data(self, data: str) -> None:
        if self._raw:
            self._buf.append(data)
        for _, open_id in self._open_ids:
            self.text_by_id[open_id].append(data)

    def text(self, element_id: str) -> str:
        return "".join(self.text_by_id[element_id])


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


# --- segmentation ---------------------------------------------------------------------------------


def test_no_spans_is_one_plain_segment() -> None:
    assert split_at_spans(10, []) == [TextSegment(0, 10, ())]


def test_overlapping_spans_split_into_three_parts() -> None:
    segs = split_at_spans(20, [Span(0, 10, "a"), Span(5, 15, "b")])
    assert segs == [
        TextSegment(0, 5, ("a",)),
        TextSegment(5, 10, ("a", "b")),
        TextSegment(10, 15, ("b",)),
        TextSegment(15, 20, ()),
    ]


def test_nested_and_identical_spans_keep_the_given_order() -> None:
    segs = split_at_spans(12, [Span(2, 10, "outer"), Span(4, 6, "inner"), Span(2, 10, "twin")])
    assert segs == [
        TextSegment(0, 2, ()),
        TextSegment(2, 4, ("outer", "twin")),
        TextSegment(4, 6, ("outer", "inner", "twin")),
        TextSegment(6, 10, ("outer", "twin")),
        TextSegment(10, 12, ()),
    ]


def test_spans_are_clamped_and_empty_ones_ignored() -> None:
    segs = split_at_spans(5, [Span(-3, 2, "left"), Span(3, 99, "right"), Span(4, 4, "empty"), Span(7, 9, "past")])
    assert segs == [TextSegment(0, 2, ("left",)), TextSegment(2, 3, ()), TextSegment(3, 5, ("right",))]


_spans = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=12)


@given(length=st.integers(1, 40), raw=_spans)
def test_segments_tile_the_text_and_list_exactly_the_covering_spans(length: int, raw: list[tuple[int, int]]) -> None:
    spans = [Span(s, e, f"k{i}") for i, (s, e) in enumerate(raw)]
    segs = split_at_spans(length, spans)
    assert segs[0].start == 0 and segs[-1].end == length
    assert all(a.end == b.start for a, b in zip(segs, segs[1:]))
    for seg in segs:
        assert seg.start < seg.end
        covering = {sp.key for sp in spans if sp.start <= seg.start and seg.end <= sp.end and sp.start < sp.end}
        assert set(seg.keys) == covering
        # A span either covers a segment whole or not at all: no span boundary falls inside one.
        bounds = {min(max(b, 0), length) for sp in spans if sp.start < sp.end for b in (sp.start, sp.end)}
        assert not any(seg.start < b < seg.end for b in bounds)


def test_every_evidence_span_is_exactly_its_segments() -> None:
    brief = seed_brief()
    items = build_items(brief)
    segments = build_segments(brief.source.text, items, brief.source.removed)
    assert "".join(s.text for s in segments) == brief.source.text
    evidence = [ev for item in items for ev in item.evidence]
    assert len(evidence) == len(brief.evidence_items()) == 26
    for view in evidence:
        covered = "".join(s.text for s in segments if view.id in s.evidence.split())
        assert covered == view.quote == brief.source.text[view.start : view.end]


def test_overlapping_items_are_all_listed_on_the_shared_words() -> None:
    brief = seed_brief()
    segments = build_segments(brief.source.text, build_items(brief), brief.source.removed)
    shared = next(s for s in segments if s.text == "up to 12,000 troops")
    # The figure, the conflicting uncertainty, the NIS claim and the summary all cite these words.
    assert shared.items.split() == ["summary-0", "claims-0", "figures-1", "uncertainties-1"]
    assert set(shared.classes.split()) >= {"seg", "f-summary", "f-claims", "f-figures", "f-uncertainties", "conflict", "multi"}


def test_boilerplate_lines_are_marked_removed() -> None:
    brief = seed_brief()
    segments = build_segments(brief.source.text, build_items(brief), brief.source.removed)
    removed = "".join(s.text for s in segments if "removed" in s.classes.split())
    assert "PREV Referendum" in removed and "To watch on video" in removed
    assert "1,500 North Korean soldiers" not in removed


# --- escaping and the content security policy ----------------------------------------------------------------


def test_hostile_article_becomes_text_only() -> None:
    html = to_html(hostile_brief())
    page = parse(html)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"img", "b", "iframe", "object"}
    assert [t for t, _ in page.tags].count("script") == 2
    assert [t for t, _ in page.tags].count("style") == 1
    # No attribute anywhere carries an event handler or a URL to somewhere else.
    for _, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), attrs
        for name in ("href", "src"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), attrs
    source = page.text("source-text")
    assert source == HOSTILE_TEXT
    assert '<script>window.__pwned = "script"; alert("pwned")</script>' in source
    assert "<img src=x onerror=" in source


def test_script_data_block_cannot_be_closed_by_article_text() -> None:
    html = to_html(hostile_brief())
    page = parse(html)
    (data_attrs, data_body), (code_attrs, _) = page.scripts
    assert data_attrs == {"type": "application/json", "id": "brief-data"}
    assert code_attrs == {}
    assert "<" not in data_body and ">" not in data_body and "&" not in data_body
    data = json.loads(data_body)
    assert data["items"]["claims-0"]["label"] == "A critic wrote </script><script>window.__pwned='json'</script>"


def test_json_for_script_escapes_markup_characters() -> None:
    out = json_for_script({"a": "</script><!-- & \u2028"})
    assert str(out) == '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}'
    assert json.loads(str(out)) == {"a": "</script><!-- & \u2028"}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def test_csp_allows_exactly_the_inline_style_and_script() -> None:
    html = to_html(seed_brief())
    page = parse(html)
    metas = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = dict(d.strip().split(" ", 1) for d in metas[0]["content"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == _sha256(page.scripts[1][1])
    assert policy["style-src"] == _sha256(page.styles[0])
    for directive in ("img-src", "font-src", "connect-src", "base-uri", "form-action", "object-src"):
        assert policy[directive] == "'none'"
    # No inline style attributes (they would need 'unsafe-inline') and nothing external.
    assert not any("style" in attrs for _, attrs in page.tags)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", html)


# --- what the page lists ---------------------------------------------------------------------------------


def test_legend_counts_items_and_spans_per_field() -> None:
    page = parse(to_html(seed_brief()))
    legend = {a["data-toggle"] for t, a in page.tags if t == "input" and "data-toggle" in a}
    assert legend == {"actors", "claims", "figures", "uncertainties", "summary"}
    html = to_html(seed_brief())
    assert re.search(r'data-toggle="actors">.*?Actors <span class="count">7</span>\s*<span class="spans">8 spans', html, re.S)
    assert re.search(r'data-toggle="figures">.*?Figures <span class="count">5</span>\s*<span class="spans">6 spans', html, re.S)


def test_conflicting_uncertainty_and_its_figures_stand_out() -> None:
    items = {v.id: v for v in build_items(seed_brief())}
    assert items["uncertainties-1"].conflict
    assert items["figures-1"].conflict and items["figures-2"].conflict
    assert not items["figures-0"].conflict and not items["uncertainties-0"].conflict
    html = to_html(seed_brief())
    for item_id in ("uncertainties-1", "figures-1", "figures-2"):
        assert re.search(rf'<li class="item is-conflict" id="item-{item_id}">.*?badge b-conflict">conflicting<', html, re.S)


def test_dropped_items_are_listed_apart_with_their_quotes() -> None:
    page = parse(to_html(seed_brief()))
    not_found = page.text("not-found")
    assert "Kim Jong-un's sister" in not_found
    assert "Kim Yo-jong said on state TV" in not_found
    assert "evidence not found in the source" in not_found
    assert "item-actors-7" not in {a.get("id") for _, a in page.tags}


def test_kept_unaligned_items_are_listed_apart_once() -> None:
    brief = seed_brief(keep_unaligned=True)
    assert brief.actors[-1].evidence[0].alignment.value == "unaligned"
    html = to_html(brief)
    page = parse(html)
    assert page.text("not-found").count("Kim Jong-un's sister") == 1
    assert "kept, flagged unaligned: evidence not found in the source" in page.text("not-found")
    assert "item-actors-7" not in {a.get("id") for _, a in page.tags}
    assert re.search(r'Actors <span class="count">7</span>', html)


def test_partly_found_item_shows_the_missing_quote() -> None:
    # Grounding keeps only located quotes, but a Brief read from elsewhere (JSON) may carry unlocated ones.
    text = "The minister said the plan would cost 40 million euros."
    brief = make_brief(text, Draft(actors=[Actor(name="The minister", evidence=ev("The minister"))]))
    actor = brief.actors[0]
    brief.actors[0] = actor.model_copy(update={"evidence": [*actor.evidence, *ev("the minister resigned")]})
    html = to_html(brief)
    assert "some evidence not found" in html
    assert re.search(r'<span class="quote unfound">the minister resigned</span> <span class="align">not found</span>', html)
    assert 'href="#ev-actors-0-0"' in html and "ev-actors-0-1" not in html


def test_verification_findings_are_shown() -> None:
    page = parse(to_html(seed_brief()))
    findings = page.text("verification")
    assert "5 figures checked" in findings
    assert "Kim Yong-hyun, Donald Trump" in findings
    assert "8, 13" in findings


def test_every_item_link_points_at_an_anchor_in_the_text() -> None:
    page = parse(to_html(seed_brief()))
    ids = {a["id"] for _, a in page.tags if a.get("id")}
    links = [a["href"] for t, a in page.tags if t == "a" and a.get("href")]
    assert len(links) >= 20
    assert all(href[1:] in ids for href in links)


def test_a_brief_with_nothing_in_it_still_renders() -> None:
    html = to_html(make_brief("Just one line of text.", Draft()))
    page = parse(html)
    assert page.text("source-text") == "Just one line of text."
    assert "not-found" not in {a.get("id") for _, a in page.tags}
    assert html.count("None found.") == 4
    assert json.loads(page.scripts[0][1])["items"] == {}
