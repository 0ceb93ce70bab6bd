"""The nightly digest's page in pieces, for writing a large night's page without holding it whole.

`render_digest_html` returns the page as one string: for a night of 10,000 briefs that is ~60 million
characters, held twice over while Jinja joins its pieces. `digest_html_chunks` renders the same template
with the same values through Jinja's `generate`, so a caller can write each piece as it comes; a test
keeps the two the same page (tests/html/test_digest_html.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from summarizer.digest import Digest
from summarizer.render import html
from summarizer.render.markdown import figure_value


def digest_html_chunks(digest: Digest, brief_pages: Mapping[str, str] | None = None) -> Iterator[str]:
    """`render_digest_html(digest, brief_pages)`, the same text in pieces."""
    links = html._DigestLinks(digest, brief_pages or {})
    page = html.assets(("base.css", "digest.css"), "digest.js")
    return html.environment().get_template("digest.html.j2").generate(
        digest=digest,
        links=links,
        href=html.relative_href,
        short=html._short,
        figure_value=figure_value,
        page=page,
    )
