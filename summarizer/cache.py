"""The user's cache folder: what summarizer derives once from installed packages and keeps for later runs
(the default local model's file, the language model's arrays, the story index's stop words)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder() -> Path:
    """$XDG_CACHE_HOME (or ~/.cache) / summarizer; not made here."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "summarizer"
