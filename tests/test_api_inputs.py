"""The Python API's edges: what is a document, which keywords say so, and one-line errors for the rest."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from summarizer import ConfigError, InputError, Settings, asummarize, summarize

SEED = "seeds/000_ee409ff46c783017.txt"
TEXT = "The council approved the budget on Monday, its chair Maria Lopez said. It will cost 12 million euros."


def _one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message and message
    return message


@pytest.mark.parametrize("missing", ["seeds/000_typo.txt", "notes.txt", "~/articles/today.md", "./x/y"])
def test_a_string_shaped_like_a_missing_path_is_refused(missing: str) -> None:
    with pytest.raises(InputError) as caught:
        summarize(missing, engine="extractive")
    message = _one_line(caught.value)
    assert missing in message and "no such file" in message and "text=" in message


@pytest.mark.parametrize("url", ["ftp://example.com/news/a.html", "file:///etc/hostname", "gopher://example.com"])
def test_a_url_of_another_scheme_is_refused_without_a_fetch(url: str) -> None:
    with pytest.raises(InputError) as caught:
        summarize(url, engine="extractive")
    message = _one_line(caught.value)
    assert url in message and "http" in message


def test_a_bare_host_with_a_path_is_a_missing_file_not_a_document() -> None:
    with pytest.raises(InputError) as caught:
        summarize("www.example.com/a", engine="extractive")
    assert "no such file" in _one_line(caught.value)


def test_text_keyword_summarises_the_string_even_when_it_looks_like_a_path() -> None:
    brief = summarize(text="seeds/000_typo.txt", engine="extractive")
    assert brief.source.text == "seeds/000_typo.txt" and brief.source.path is None


def test_prose_and_existing_paths_are_still_read_as_before() -> None:
    assert summarize(TEXT, engine="extractive").source.text == TEXT
    by_str = summarize(SEED, engine="extractive")
    by_path = summarize(Path(SEED), engine="extractive")
    by_keyword = summarize(path=SEED, engine="extractive")
    assert by_str.source.sha256 == by_path.source.sha256 == by_keyword.source.sha256
    assert by_keyword.source.path == SEED


def test_path_keyword_never_falls_back_to_text() -> None:
    with pytest.raises(InputError, match="no such file"):
        summarize(path="a sentence, not a file", engine="extractive")


@pytest.mark.parametrize("source", [None, 42, 3.5, ["a list"]])
def test_a_source_of_the_wrong_type_is_an_input_error(source: object) -> None:
    with pytest.raises(InputError) as caught:
        summarize(source, engine="extractive")  # type: ignore[arg-type]
    _one_line(caught.value)


def test_two_documents_at_once_are_refused() -> None:
    with pytest.raises(InputError, match="source and text"):
        summarize(TEXT, text=TEXT, engine="extractive")


def test_async_form_refuses_the_same() -> None:
    with pytest.raises(InputError, match="no such file"):
        asyncio.run(asummarize("seeds/000_typo.txt", engine="extractive"))


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"engin": "extractive"}, "engin: unknown option"),
        ({"max_retries": "many"}, "max_retries:"),
        ({"max_retries": -1}, "max_retries:"),
        ({"timeout": 0}, "timeout:"),
        ({"max_chars": 0}, "max_chars:"),
        ({"structured_output": "yaml"}, "structured_output:"),
        ({"settings": "not settings"}, "settings: expected a summarizer.Settings"),
    ],
)
def test_bad_or_unknown_options_are_one_line_config_errors(options: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        summarize(TEXT, **options)  # type: ignore[arg-type]
    assert needle in _one_line(caught.value)
    assert caught.value.__cause__ is None  # no pydantic ValidationError chained into a traceback


def test_options_over_settings_are_checked_too() -> None:
    with pytest.raises(ConfigError, match="timeout:"):
        summarize(TEXT, settings=Settings(engine="extractive"), timeout=-5)
