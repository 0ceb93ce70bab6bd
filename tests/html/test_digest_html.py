"""The nightly digest page without a browser: links, escaping, the policy, what stands out."""

from __future__ import annotations

import re

import pytest

from summarizer.digest import build_digest
from summarizer.render.html import relative_href, render_digest_html
from summarizer.render import to_html
from tests.html.conftest import digest_entries, seed_digest
from tests.html.test_render_html import _sha256, parse

SEED_ID = "north-korea-troops-7e1384c0"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("brief-1.md", "brief-1.md"),
        ("briefs/a b.json", "briefs/a%20b.json"),
        ("x.html#ev-figures-1-0", "x.html#ev-figures-1-0"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("https://example.org/x.md", None),
        ("//example.org/x.md", None),
        ("/etc/passwd", None),
        ("..\\x.md", None),
        ("", None),
        (None, None),
    ],
)
def test_relative_href_allows_only_paths_beside_the_digest(path: str | None, expected: str | None) -> None:
    assert relative_href(path) == expected


def test_conflict_stands_out_with_both_values_and_their_quotes() -> None:
    page = parse(render_digest_html(seed_digest()))
    conflicts = page.text("conflicts")
    assert "North Korean troops for Russia" in conflicts
    assert re.search(r"up to 12,000\s+vs\s+some 10,000", conflicts)
    assert "according to National Intelligence Service (NIS)" in conflicts
    assert "according to Volodymyr Zelensky" in conflicts
    assert "chars 1014–1033" in conflicts and "chars 3960–3978" in conflicts


def test_quotes_open_the_brief_page_at_their_span_when_there_is_one() -> None:
    pages = {link.id: f"{link.id}.html" for link, _ in digest_entries()}
    html = render_digest_html(seed_digest(), pages)
    hrefs = [a["href"] for t, a in parse(html).tags if t == "a" and a.get("href")]
    assert f"{SEED_ID}.html#ev-figures-1-0" in hrefs
    assert f"{SEED_ID}.html#ev-figures-2-0" in hrefs
    assert f"{SEED_ID}.html#ev-summary-0-0" in hrefs
    assert f"{SEED_ID}.html#ev-actors-0-0" in hrefs
    # Without review pages, the same quotes link to the briefs' Markdown files.
    plain = [a["href"] for t, a in parse(to_html(seed_digest())).tags if t == "a" and a.get("href")]
    assert not any(".html" in h for h in plain)
    assert f"{SEED_ID}.md" in plain and f"{SEED_ID}.json" in plain


def test_every_link_stays_in_the_page_or_beside_it() -> None:
    html = render_digest_html(seed_digest())
    for tag, attrs in parse(html).tags:
        for name in ("href", "src"):
            value = attrs.get(name)
            assert value is None or value.startswith("#") or relative_href(value) == value, (tag, attrs)


def test_counts_failed_documents_and_all_briefs_are_listed() -> None:
    page = parse(render_digest_html(seed_digest()))
    assert "inbox/scan.pdf" in page.text("failed") and "binary content (PDF)" in page.text("failed")
    briefs = page.text("briefs")
    assert "South Korean intelligence says North Korea is sending troops to Russia" in briefs
    assert "New faces emerge as veteran politicians step down" in briefs
    assert "tests/nightly/articles/election.txt" in briefs


def test_hostile_names_and_paths_are_text_and_never_links() -> None:
    (link, brief), (other_link, other) = digest_entries()
    hostile = link.model_copy(
        update={
            "title": "<script>alert('title')</script>",
            "md_path": "javascript:alert('md')",
            "json_path": "https://example.org/steal.json",
        }
    )
    actor = brief.actors[0].model_copy(update={"name": "<img src=x onerror=alert('actor')>"})
    brief.actors[0] = actor
    html = render_digest_html(build_digest([(hostile, brief), (other_link, other)]))
    page = parse(html)
    assert not any(t in ("img", "iframe", "object") for t, _ in page.tags)
    assert [t for t, _ in page.tags].count("script") == 1
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&#39;actor&#39;)&gt;" in html
    assert "javascript:" not in html.lower()
    assert "example.org" not in html
    for _, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs)


def test_digest_csp_allows_exactly_its_inline_style_and_script() -> None:
    html = render_digest_html(seed_digest())
    page = parse(html)
    meta = next(a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    policy = dict(d.strip().split(" ", 1) for d in meta["content"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == _sha256(page.scripts[0][1])
    assert policy["style-src"] == _sha256(page.styles[0])


def test_empty_digest_renders() -> None:
    html = render_digest_html(build_digest([]))
    page = parse(html)
    assert "No briefs in this digest." in page.text("stories")
    assert "conflicts" not in {a.get("id") for _, a in page.tags}


def test_brief_link_ids_need_not_be_safe_for_urls() -> None:
    (link, brief), _ = digest_entries()
    odd = link.model_copy(update={"id": 'a"b c', "md_path": "a b.md", "json_path": "a b.json"})
    html = render_digest_html(build_digest([(odd, brief)]), {'a"b c': "a b.html"})
    hrefs = [a["href"] for t, a in parse(html).tags if t == "a" and a.get("href")]
    assert "a%20b.html#ev-figures-1-0" in hrefs and "a%20b.md" in hrefs
