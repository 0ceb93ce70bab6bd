"""Prompt templates: where they live, how they render, and the version each Brief records.

Templates are Jinja2 files in the top-level `prompts/` folder, which the wheel installs as
`summarizer/prompts/`. PROMPT_VERSION is the name in `prompts/VERSION` plus a digest of the
templates, so an edited template can never pass under an old version string.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import jinja2

from summarizer.brief_language import language_name
from summarizer.errors import ConfigError

SYSTEM_TEMPLATE = "brief.system.j2"
USER_TEMPLATE = "brief.user.j2"
# This file's folder is the package (found without importing `summarizer`, whose __init__ loads the API).
PACKAGE_DIR = Path(__file__).resolve().parent
_FENCE_CLOSE = re.compile(r"</\s*article\s*>", re.IGNORECASE)


def prompts_dir() -> Path:
    """The installed package's prompts first (wheel), then the source checkout's top-level prompts/."""
    package_dir = PACKAGE_DIR
    for candidate in (package_dir / "prompts", package_dir.parent / "prompts"):
        if (candidate / SYSTEM_TEMPLATE).is_file():
            return candidate
    raise ConfigError(
        f"prompt templates not found in {package_dir / 'prompts'} or {package_dir.parent / 'prompts'}; "
        "reinstall summarizer"
    )


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # StrictUndefined: a typo in a template variable must fail loudly, not render as "".
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(prompts_dir()),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


def render(name: str, **context: object) -> str:
    """Render one template with the given variables."""
    return _environment().get_template(name).render(**context).strip()


def prompt_version(brief_language: str | None = None) -> str:
    """The version every Brief records: see `version_of`; with a requested brief language, '+brief-<code>'
    after it, so the ledger tells a brief written in English from the same prompt's brief in the source's
    language (the nightly job redoes a document when either changes)."""
    base = _templates_version()
    return f"{base}+brief-{brief_language}" if brief_language else base


@lru_cache(maxsize=1)
def _templates_version() -> str:
    return version_of(prompts_dir())


def version_of(folder: Path) -> str:
    """'<name in VERSION>+<first 8 hex of a sha256 over the *.j2 templates>'."""
    name = (folder / "VERSION").read_text(encoding="utf-8").strip()
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.j2")):
        # Line endings normalised: a Windows checkout must report the same version.
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        digest.update(f"{path.name}\0{text}\0".encode())
    return f"{name}+{digest.hexdigest()[:8]}"


def fence(article: str) -> str:
    """The article with any closing fence defused, so its text cannot end the <article> block early."""
    return _FENCE_CLOSE.sub("</ article>", article)


def language_context(source_language: str, brief_language: str | None) -> dict[str, object]:
    """The templates' language variables: the source's and the brief's language names, and whether the
    brief is a translation (its quotes must then stay in the source's language)."""
    written_in = brief_language or source_language
    return {
        "source_language": language_name(source_language),
        "brief_language": language_name(written_in),
        "translate": written_in != source_language,
    }


def brief_messages(
    article: str, *, part: int = 1, parts: int = 1, source_language: str = "en", brief_language: str | None = None
) -> list[dict[str, str]]:
    """The system and user chat messages asking for a brief of `article` (one chunk of `parts`), written in
    `brief_language` (the source's language when None)."""
    return [
        {"role": "system", "content": render(SYSTEM_TEMPLATE, **language_context(source_language, brief_language))},
        {"role": "user", "content": render(USER_TEMPLATE, article=fence(article), part=part, parts=parts)},
    ]


def __getattr__(name: str) -> str:
    # PROMPT_VERSION reads files, so compute it on first use rather than at import.
    if name == "PROMPT_VERSION":
        return prompt_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
