"""Renderers: a Brief or a nightly Digest as Markdown or as a self-contained HTML page (JSON is the
model's own `model_dump_json`). The data models never import this package; callers render through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.digest import Digest
    from summarizer.schema import Brief


def to_markdown(item: Brief | Digest) -> str:
    """A brief, or a night's digest, as Markdown."""
    from summarizer.digest import Digest

    if isinstance(item, Digest):
        from summarizer.render.digest_markdown import render_digest_markdown

        return render_digest_markdown(item)
    from summarizer.render.markdown import render_markdown

    return render_markdown(item)


def to_html(item: Brief | Digest) -> str:
    """A brief's review page, or a night's digest page: one self-contained HTML file."""
    from summarizer.digest import Digest
    from summarizer.render.html import render_digest_html, render_html

    return render_digest_html(item) if isinstance(item, Digest) else render_html(item)
