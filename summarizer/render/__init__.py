"""Renderers: a Brief as JSON, Markdown or a self-contained HTML review page."""
