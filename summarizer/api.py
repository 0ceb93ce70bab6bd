"""The Python API: one document in, one grounded Brief out.

The pipeline reads top to bottom in `assemble`: intake -> clean -> engine -> ground -> cross-check ->
verify -> Brief. Which engine runs is the registry's choice (summarizer.engines.registry).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypedDict

from pydantic import SecretStr, ValidationError
from typing_extensions import Unpack

from summarizer import progress
from summarizer.brief_language import language_name, translates
from summarizer.config import Settings
from summarizer.crosscheck import cross_check, rules_draft
from summarizer.engines import Engine, EngineResult, registry
from summarizer.errors import ConfigError, InputError
from summarizer.grounding import ground
from summarizer.fetch import Fetched, fetch, looks_like_url
from summarizer.intake import (
    MAX_BYTES_PER_CHAR,
    Document,
    from_bytes,
    from_fetched,
    from_text,
    looks_like_missing_path,
    looks_like_path,
    read_path,
)
from summarizer.language import Identified, language_of
from summarizer.pdf import page_of
from summarizer.schema import Brief, Draft, FoundBy, Provenance, Source
from summarizer.support import check_support
from summarizer.text import CleanText, clean
from summarizer.verify import verify

SourceLike = str | os.PathLike[str] | bytes | Document


class BatchOptions(TypedDict, total=False):
    """The options every API call takes as keywords (each a `Settings` field; None means the default).
    `summarize_many` gives `concurrency` and `timeout` their batch meaning, so they are in `Options` only."""

    engine: str | None
    model: str | None
    base_url: str | None
    api_key: str | SecretStr | None
    max_retries: int | None
    max_reasks: int | None
    keep_unaligned: bool | None
    max_chars: int | None
    chunk_chars: int | None
    chunk_overlap: int | None
    structured_output: str | None
    max_tokens: int | None
    retry_wait_base: float | None
    retry_wait_max: float | None
    gguf: str | os.PathLike[str] | None
    model_writes: str | None
    cross_check: bool | None
    fill_gaps: bool | None
    keep_unsupported: bool | None
    allow_private_urls: bool | None
    fetch_timeout: float | None
    language: str | None
    brief_language: str | None


class Options(BatchOptions, total=False):
    """`summarize`'s keywords: every `Settings` field."""

    timeout: float | None
    concurrency: int | None


def make_settings(settings: Settings | None = None, **options: Any) -> Settings:
    """Settings from the environment, then `settings`, then keyword options that are not None.

    A bad value or an unknown option is a ConfigError with one line naming it."""
    if settings is not None and not isinstance(settings, Settings):
        raise ConfigError(f"settings: expected a summarizer.Settings, got {type(settings).__name__}")
    try:
        if settings is None:
            return Settings.from_env(**options)
        given = {k: v for k, v in options.items() if v is not None}
        # Validate the merged values (model_copy would skip validation, leaving e.g. a plain-str api_key). Only
        # the fields `settings` was given count as set, so engines still see which defaults the user left alone.
        explicit = {name: getattr(settings, name) for name in settings.model_fields_set}
        return Settings.model_validate({**explicit, **given}) if given else settings
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        unknown = first["type"] == "extra_forbidden"
        problem = "unknown option (summarizer.Options lists them)" if unknown else first["msg"].lower()
        raise ConfigError(f"{where}: {problem}") from None


def load_document(source: SourceLike, settings: Settings) -> Document:
    """A Document from a path, a string (an http(s) URL, a path if it names a file, else the text itself)
    or bytes.

    A string shaped like a file name that names no file is refused: summarising "seeds/typo.txt" as a
    one-line article would hide the typo. `text=` and `path=` (or a Path) say which is meant."""
    if isinstance(source, Document):
        return source
    if isinstance(source, bytes):
        return from_bytes(source, name="<bytes>", max_chars=settings.max_chars)
    if isinstance(source, os.PathLike):
        return read_path(Path(source), max_chars=settings.max_chars)
    if not isinstance(source, str):
        raise InputError(
            f"{type(source).__name__} is not a document: give a path, a URL, the text, bytes or a Document "
            "(or text=... / path=...)"
        )
    if looks_like_url(source):
        return load_url(source, settings)
    if looks_like_path(source):
        return read_path(Path(source).expanduser(), max_chars=settings.max_chars)
    if looks_like_missing_path(source):
        raise InputError(
            f"{_shown(source)}: no such file; check the path, or pass text=... to summarize the string itself"
        )
    return from_text(source, max_chars=settings.max_chars)


def fetch_url(url: str, settings: Settings) -> Fetched:
    """Fetch an http(s) URL within the settings' size and time bounds (private addresses refused unless
    settings.allow_private_urls)."""
    return fetch(
        url,
        max_bytes=MAX_BYTES_PER_CHAR * settings.max_chars,
        timeout=settings.fetch_timeout,
        allow_private=settings.allow_private_urls,
    )


def load_url(url: str, settings: Settings) -> Document:
    """Fetch an http(s) URL into a Document."""
    return from_fetched(fetch_url(url, settings), max_chars=settings.max_chars)


def _shown(value: str) -> str:
    value = value.strip()
    return value if len(value) <= 80 else value[:77] + "..."


def _document(
    source: object, text: str | None, path: str | os.PathLike[str] | None, settings: Settings
) -> Document:
    """The document from exactly one of the positional source, text= or path=."""
    given = [name for name, value in (("source", source), ("text", text), ("path", path)) if value is not None]
    if len(given) != 1:
        which = "none" if not given else " and ".join(given)
        raise InputError(f"give one document: a source, text=... or path=... ({which} given)")
    if text is not None:
        if not isinstance(text, str):
            raise InputError(f"text= takes a str, got {type(text).__name__}")
        return from_text(text, max_chars=settings.max_chars)
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise InputError(f"path= takes a str or a Path, got {type(path).__name__}")
        return read_path(Path(path).expanduser(), max_chars=settings.max_chars)
    return load_document(source, settings)  # type: ignore[arg-type]  # load_document checks the type


def choose_engine(settings: Settings) -> tuple[Engine, str]:
    """The engine to run and why, resolving `auto`."""
    return registry.choose(settings)


def assemble(
    doc: Document, cleaned: CleanText, result: EngineResult, settings: Settings, engine: Engine, reason: str,
    *, identified: Identified | None = None,
) -> Brief:
    """Ground, support-check, cross-check and verify an engine's draft, then wrap it with its source and
    provenance. `identified`: the cleaned text's language as `language_of` found it earlier (a Batch API
    submit run), not to identify it again."""
    draft = result.draft.marked_found_by(engine.found_by)
    progress.advance("checking evidence")
    grounded, dropped = ground(draft, cleaned, keep_unaligned=settings.keep_unaligned)
    language = identified or language_of(cleaned.text, settings.language)
    translated = engine.writes_any_language(settings) and translates(settings.brief_language, language.code)
    support = check_support(
        grounded, cleaned, keep_unsupported=settings.keep_unsupported,
        translated_to=settings.brief_language if translated else None,
    )
    dropped += support.dropped
    checked = support.draft
    missed_actors: list[str] = []
    missed_figures: list[str] = []
    if engine.cross_checked and settings.cross_check and not _all_by_rules(checked):
        # The rules' items quote the source exactly; their own support check keeps the filled brief honest.
        rules = check_support(rules_draft(cleaned), cleaned).draft
        crossed = cross_check(checked, rules, fill_gaps=settings.fill_gaps)
        checked = crossed.draft
        missed_actors = [a.name for a in crossed.missed_actors]
        missed_figures = [f.text for f in crossed.missed_figures]
    checked, verification = verify(checked, cleaned)
    verification.missed_entities = missed_actors
    verification.missed_figures = missed_figures
    verification.unsupported_summary = support.unsupported_summary
    title = checked.title or doc.title or cleaned.title or doc.name
    provenance = Provenance(
        engine=engine.name,
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
        language=language.code,
        language_confidence=language.confidence,
        encoding=doc.encoding,
        text=doc.text,
        removed=cleaned.removed(),
        media_type=doc.media_type,
        page_starts=list(doc.page_starts),
        url=doc.url,
        final_url=doc.final_url,
        fetched_at=doc.fetched_at,
        author=doc.meta.author,
        published=doc.meta.published,
        canonical_url=doc.meta.url,
    )
    # The checked items themselves: validated when they were made, they are not dumped and validated again.
    body = {name: getattr(checked, name) for name in Draft.model_fields if name != "title"}
    brief = Brief(title=title, source=source, provenance=provenance, dropped=dropped, verification=verification, **body)
    if doc.page_starts:
        brief = brief.model_copy(deep=True)  # its items may be the engine's draft's: pages go on copies
        for _, _, evidence in brief.evidence_items():
            evidence.page = page_of(doc.page_starts, evidence.start) if evidence.start is not None else None
    return brief


def _all_by_rules(draft: Draft) -> bool:
    """The rules already wrote every item (the model wrote only the summary): a second run of them
    could add nothing, so the cross-check is skipped rather than parsing the text again."""
    who = [i.found_by for field in (draft.actors, draft.claims, draft.figures, draft.uncertainties) for i in field]
    return bool(who) and all(w is FoundBy.rules for w in who)


def _prepare(
    source: object, text: str | None, path: str | os.PathLike[str] | None, settings: Settings
) -> tuple[Document, CleanText, Engine, str]:
    doc = _document(source, text, path, settings)
    cleaned = clean(doc.text)
    if not cleaned.text.strip():
        raise InputError(f"{doc.name}: has no article text once page boilerplate (navigation, links) is removed")
    engine, reason = choose_engine(settings)
    _check_brief_language(doc, cleaned, engine, settings)
    return doc, cleaned, engine, reason


def _check_brief_language(doc: Document, cleaned: CleanText, engine: Engine, settings: Settings) -> None:
    """InputError when the brief is asked in another language than the source's and the engine only
    copies the source's words (the extractive rules, a model that writes only the summary)."""
    if settings.brief_language is None or engine.writes_any_language(settings):
        return
    source_language = language_of(cleaned.text, settings.language).code
    if translates(settings.brief_language, source_language):
        raise InputError(
            f"{doc.name}: is in {language_name(source_language)} ({source_language}) and the {engine.name} engine "
            f"writes briefs in the source's words: it cannot write one in {language_name(settings.brief_language)}; "
            "use --engine llm (or --model-writes brief), whose model writes the brief, or leave out --brief-language"
        )


def summarize(
    source: SourceLike | None = None,
    *,
    text: str | None = None,
    path: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    **options: Unpack[Options],
) -> Brief:
    """Summarize a document into a grounded Brief.

    The document is one of: `source` (a path, the text itself, bytes or a Document; a str is read as a
    path when it names a file, fetched when it is an http(s) URL, and refused when it looks like a missing
    file), `text=` (always the text) or `path=` (always a file). Options are `Settings` fields as keywords (engine, model,
    base_url, api_key, ...), applied over `settings` and the environment. Raises InputError for unusable
    input (a missing or wrong-typed document included), ConfigError for bad or unknown options,
    EngineError when the engine fails.
    """
    cfg = make_settings(settings, **options)
    doc, cleaned, engine, reason = _prepare(source, text, path, cfg)
    return assemble(doc, cleaned, engine.extract(cleaned, cfg), cfg, engine, reason)


async def asummarize(
    source: SourceLike | None = None,
    *,
    text: str | None = None,
    path: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    **options: Unpack[Options],
) -> Brief:
    """The async form of `summarize`, with the same parameters."""
    cfg = make_settings(settings, **options)
    doc, cleaned, engine, reason = _prepare(source, text, path, cfg)
    return assemble(doc, cleaned, await engine.aextract(cleaned, cfg), cfg, engine, reason)
