"""The Python API: one document in, one grounded Brief out.

The pipeline reads top to bottom: intake -> clean -> engine -> ground -> verify -> Brief.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

from summarizer.config import Settings, without_credentials
from summarizer.engines import EngineResult
from summarizer.errors import ConfigError, InputError
from summarizer.grounding import ground
from summarizer.intake import Document, from_bytes, from_text, looks_like_path, read_path
from summarizer.schema import Brief, Provenance, Source
from summarizer.text import CleanText, clean
from summarizer.verify import verify

SourceLike = str | os.PathLike[str] | bytes | Document

_ENGINE_MODULES = {
    "llm": "summarizer.engines.llm",
    "extractive": "summarizer.engines.extractive",
    "local": "summarizer.engines.local",
}


def make_settings(settings: Settings | None = None, **options: object) -> Settings:
    """Settings from the environment, then `settings`, then keyword options that are not None."""
    if settings is None:
        return Settings.from_env(**options)
    given = {k: v for k, v in options.items() if v is not None}
    # Validate the merged values (model_copy would skip validation, leaving e.g. a plain-str api_key).
    return Settings.model_validate({**dict(settings), **given}) if given else settings


def load_document(source: SourceLike, settings: Settings) -> Document:
    """A Document from a path, a string (path if it names a file, else the text itself) or bytes."""
    if isinstance(source, Document):
        return source
    if isinstance(source, bytes):
        return from_bytes(source, name="<bytes>", max_chars=settings.max_chars)
    if isinstance(source, os.PathLike):
        return read_path(Path(source), max_chars=settings.max_chars)
    if looks_like_path(source):
        return read_path(Path(source).expanduser(), max_chars=settings.max_chars)
    return from_text(source, max_chars=settings.max_chars)


def choose_engine(settings: Settings) -> tuple[str, str]:
    """The engine to run and why, resolving `auto`."""
    if settings.engine != "auto":
        return settings.engine, f"--engine {settings.engine} was asked for"
    if settings.gguf is not None:
        return "local", "a GGUF model file was given"
    if settings.endpoint_configured:
        # Without any user:password in the URL: this reason is printed and stored in every brief.
        where = without_credentials(settings.base_url) if settings.base_url else "api.openai.com"
        return "llm", f"an LLM endpoint is configured ({where})"
    return "extractive", "no LLM endpoint is configured (set OPENAI_BASE_URL or OPENAI_API_KEY to use one)"


def _engine(name: str) -> ModuleType:
    if name not in _ENGINE_MODULES:
        raise ConfigError(f"unknown engine {name!r}; choose one of: auto, {', '.join(_ENGINE_MODULES)}")
    return importlib.import_module(_ENGINE_MODULES[name])


def assemble(doc: Document, cleaned: CleanText, result: EngineResult, settings: Settings, reason: str) -> Brief:
    """Ground and verify an engine's draft, then wrap it with its source and provenance."""
    grounded, dropped = ground(result.draft, cleaned, keep_unaligned=settings.keep_unaligned)
    checked, verification = verify(grounded, cleaned)
    title = checked.title or doc.title or cleaned.title or doc.name
    provenance = Provenance(
        engine=result.engine,
        model=result.model,
        prompt_version=result.prompt_version,
        usage=result.usage,
        attempts=result.attempts,
        retries=result.retries,
        chunks=result.chunks,
        engine_reason=reason,
    )
    source = Source(
        sha256=doc.sha256,
        title=doc.title or cleaned.title,
        path=str(doc.path) if doc.path else None,
        length=len(doc.text),
        encoding=doc.encoding,
        text=doc.text,
    )
    body = checked.model_dump(exclude={"title"})
    return Brief(title=title, source=source, provenance=provenance, dropped=dropped, verification=verification, **body)


def _prepare(source: SourceLike, settings: Settings) -> tuple[Document, CleanText, ModuleType, str]:
    doc = load_document(source, settings)
    cleaned = clean(doc.text)
    if not cleaned.text.strip():
        raise InputError(f"{doc.name}: has no article text once page boilerplate (navigation, links) is removed")
    name, reason = choose_engine(settings)
    return doc, cleaned, _engine(name), reason


def summarize(
    source: SourceLike,
    *,
    engine: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    keep_unaligned: bool | None = None,
    settings: Settings | None = None,
    **options: object,
) -> Brief:
    """Summarize a document (a path, the text itself, bytes or a Document) into a grounded Brief.

    Raises InputError for unusable input, ConfigError for bad options, EngineError when the engine fails.
    """
    cfg = make_settings(
        settings, engine=engine, model=model, base_url=base_url, api_key=api_key, keep_unaligned=keep_unaligned, **options
    )
    doc, cleaned, module, reason = _prepare(source, cfg)
    return assemble(doc, cleaned, module.extract(cleaned, cfg), cfg, reason)


async def asummarize(
    source: SourceLike,
    *,
    engine: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    keep_unaligned: bool | None = None,
    settings: Settings | None = None,
    **options: object,
) -> Brief:
    """The async form of `summarize`."""
    cfg = make_settings(
        settings, engine=engine, model=model, base_url=base_url, api_key=api_key, keep_unaligned=keep_unaligned, **options
    )
    doc, cleaned, module, reason = _prepare(source, cfg)
    return assemble(doc, cleaned, await module.aextract(cleaned, cfg), cfg, reason)
