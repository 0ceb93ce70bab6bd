"""Inputs that are not plain text: Markdown read as the words a reader sees, an HTML page's byline, publish
date and canonical URL kept in `source` (schema 1.2), and briefs of 1.1 still loading."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from summarizer import summarize
from summarizer.markup import markdown_to_text
from summarizer.schema import SCHEMA_VERSION, Brief, json_schema

STORY_MD = """# Council approves **budget**

The city council approved the budget on Monday, [Jane Doe](https://example.com/people/jane-doe) said.
"It is a good day for the city," said [Mayor John Smith](/people/smith).

## Reactions

Critics, including *Paul Martin* of the [Taxpayers' League](https://example.com/league), said the
12 million euro plan was rushed.

- The vote was 7 to 2.
- A second reading is due in `March`.

| item | cost |
| --- | --- |
| roads | 5 million |
"""

PAGE_HTML = """<!doctype html>
<html><head>
<title>Council approves budget | City News</title>
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2026-11-20T08:30:00Z">
<link rel="canonical" href="https://news.example.com/2026/11/council-budget">
</head>
<body>
<article>
<h1>Council approves budget</h1>
<p>The city council approved the budget on Monday, its chair Maria Lopez said.</p>
<p>The plan will cost 12 million euros, according to the finance office.</p>
<p>Critics said the plan was rushed and that details have not been released.</p>
</article>
</body></html>
"""


def test_markdown_text_keeps_words_and_drops_syntax() -> None:
    text, title = markdown_to_text(STORY_MD)
    assert title == "Council approves budget"
    assert text.startswith("Council approves budget\n\nThe city council")
    assert "Jane Doe said." in text and "said Mayor John Smith." in text
    assert "of the Taxpayers' League, said" in text
    for syntax in ("#", "](", "**", "*Paul", "`", "https://", "---"):
        assert syntax not in text, syntax
    assert "The vote was 7 to 2.\nA second reading is due in March." in text
    assert "item | cost\nroads | 5 million" in text


def test_a_title_is_the_first_level_one_heading_else_the_first_heading() -> None:
    assert markdown_to_text("## Sub\n\ntext\n\n# Main\n")[1] == "Main"
    assert markdown_to_text("## Only a sub\n\ntext\n")[1] == "Only a sub"
    assert markdown_to_text("no heading at all\n")[1] is None


@pytest.fixture(scope="module")
def md_brief(tmp_path_factory: pytest.TempPathFactory) -> Brief:
    path = tmp_path_factory.mktemp("md") / "story.md"
    path.write_text(STORY_MD, encoding="utf-8")
    return summarize(path, engine="extractive")


def test_a_markdown_file_gives_a_clean_title_and_whole_link_actors(md_brief: Brief) -> None:
    assert md_brief.title == "Council approves budget"
    names = [a.name for a in md_brief.actors]
    assert "Jane Doe" in names
    assert not [n for n in names if "](" in n or "[" in n or "#" in n]
    speakers = {c.speaker for c in md_brief.claims}
    assert "Jane Doe" in speakers


def test_markdown_spans_slice_the_text_the_engine_saw(md_brief: Brief) -> None:
    assert "#" not in md_brief.source.text and "](" not in md_brief.source.text
    for _, _, ev in md_brief.evidence_items():
        assert ev.start is not None and ev.end is not None
        assert md_brief.source.text[ev.start : ev.end] == ev.quote


def test_a_txt_file_is_not_read_as_markdown(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("# not a heading in a .txt\n\nThe mayor, Ana Ruiz, said the bridge would reopen.\n", encoding="utf-8")
    assert summarize(path, engine="extractive").source.text.startswith("# not a heading")


def test_html_meta_goes_into_source(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE_HTML, encoding="utf-8")
    brief = summarize(path, engine="extractive")
    assert brief.source.author == "Jane Reporter"
    assert brief.source.published == "2026-11-20"
    assert brief.source.canonical_url == "https://news.example.com/2026/11/council-budget"
    data = json.loads(brief.model_dump_json())
    assert data["schema_version"] == SCHEMA_VERSION == "1.3"
    jsonschema.validate(data, json_schema())


def test_a_page_without_meta_leaves_them_empty(tmp_path: Path) -> None:
    path = tmp_path / "bare.html"
    path.write_text("<html><body><p>The mayor, Ana Ruiz, said the bridge would reopen in May.</p></body></html>",
                    encoding="utf-8")
    source = summarize(path, engine="extractive").source
    assert source.author is None and source.canonical_url is None


def test_a_schema_1_1_brief_still_loads() -> None:
    data = {
        "schema_version": "1.1",
        "title": "T",
        "source": {"sha256": "0" * 64, "length": 1, "text": "x", "removed": [[0, 1]]},
        "provenance": {"engine": "extractive"},
        "actors": [{"name": "NATO", "evidence": [{"quote": "x", "start": 0, "end": 1, "alignment": "exact"}],
                    "found_by": "rules", "unsupported": None}],
    }
    brief = Brief.model_validate(data)
    assert brief.schema_version == "1.1" and brief.source.author is None and brief.source.published is None


def test_the_page_metadata_is_shown_in_markdown_and_on_the_review_page(tmp_path: Path) -> None:
    from summarizer import to_html, to_markdown

    path = tmp_path / "page.html"
    path.write_text(PAGE_HTML, encoding="utf-8")
    brief = summarize(path, engine="extractive")
    assert "_by Jane Reporter · published 2026-11-20 · <https://news.example.com/2026/11/council-budget>_" in to_markdown(brief)
    page = to_html(brief)
    assert "Jane Reporter" in page and 'href="https://news.example.com/2026/11/council-budget"' in page
