"""Text out of markup the engines should not read: Markdown syntax, and what an HTML page's head says about it.

Markdown is parsed with markdown-it-py (CommonMark) and written back as the plain text a reader sees:
no `#` marks, no `**`, a link as its words ("[Jane Doe](https://...)" is "Jane Doe"), an image as its
alt text, code as its content. Blocks are separated by a blank line, list items and table rows by a line
break. That plain text is the document's text: every evidence offset indexes it, as for HTML pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it.token import Token

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}

# Block tokens whose text is a block of its own in the plain text.
_TEXT_BLOCKS = {"inline", "fence", "code_block", "html_block"}


@dataclass(frozen=True)
class PageMeta:
    """What an HTML page's head (meta tags, canonical link, JSON-LD) says about the article."""

    title: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None


@lru_cache(maxsize=1)
def markdown_parser() -> Any:
    """One parser for every document: building one (its rule chains) cost as much as parsing an article,
    and parse() keeps no state between calls."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def markdown_to_text(markdown: str) -> tuple[str, str | None]:
    """The plain text of a Markdown document, and its title (the first level-1 heading, else the first one)."""
    tokens = markdown_parser().parse(markdown)
    blocks: list[str] = []
    headings: list[tuple[int, str]] = []
    depth = 0  # >0 inside a list or a table: its items and rows are lines, not paragraphs
    first_line = False  # the next block starts a list or table: a paragraph break before it
    cells = 0  # cells written in the current table row, joined by " | "
    in_cell = False
    level = 0
    for token in tokens:
        if token.type in ("tr_open", "tr_close"):
            cells = 0
        elif token.type in ("th_open", "td_open"):
            in_cell = True
        elif token.type in ("th_close", "td_close"):
            in_cell = False
        if token.type in ("bullet_list_open", "ordered_list_open", "table_open"):
            depth += 1
            first_line = True
        elif token.type in ("bullet_list_close", "ordered_list_close", "table_close"):
            depth -= 1
        elif token.type == "heading_open":
            level = int(token.tag[1:])
        if token.type not in _TEXT_BLOCKS:
            continue
        if token.type == "inline":
            text = _inline_text(token)
        elif token.type == "html_block":
            text = ""  # raw HTML in Markdown is markup, not article text
        else:
            text = token.content.rstrip("\n")
        if not text.strip():
            continue
        if level:
            headings.append((level, text.strip()))
            level = 0
        if blocks:
            blocks.append(" | " if cells else "\n" if depth and not first_line else "\n\n")
        first_line = False
        cells += in_cell
        blocks.append(text)
    title = next((t for lvl, t in headings if lvl == 1), headings[0][1] if headings else None)
    return "".join(blocks), title


def _inline_text(token: Token) -> str:
    """An inline token's words: text, code and image alt text; markers, URLs and inline HTML dropped."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append("".join(c.content for c in child.children or []))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def page_meta(html: str) -> PageMeta:
    """The page's own metadata, read by trafilatura (meta tags, Open Graph, JSON-LD, canonical link)."""
    import trafilatura

    meta = trafilatura.extract_metadata(html)
    if meta is None:
        return PageMeta()

    def clean(value: object) -> str | None:
        text = " ".join(str(value).split()) if value else ""
        return text or None

    url = clean(meta.url)
    return PageMeta(
        title=clean(meta.title),
        author=clean(meta.author),
        published=clean(meta.date),
        url=url if url and url.startswith(("http://", "https://")) else None,
    )
