"""The engines by name, imported only when one is asked for (`import summarizer` loads neither spaCy
nor openai). Adding an engine is one module with a class that follows `summarizer.engines.Engine`
plus one line in ENGINES.

The order of ENGINES is the order in which `--engine auto` asks each engine whether the settings
point to it (`Engine.auto_reason`); the last one answers for any settings.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.engines import Engine

AUTO = "auto"
# name -> "module:class"
ENGINES: dict[str, str] = {
    "local": "summarizer.engines.local:LocalEngine",
    "llm": "summarizer.engines.llm:LLMEngine",
    "extractive": "summarizer.engines.extractive:ExtractiveEngine",
}
_loaded: dict[str, Engine] = {}  # by "module:class", so a test that swaps a line gets its own engine


def names() -> list[str]:
    """The engines a user can name, as `--help` and error messages list them."""
    return sorted(ENGINES)


def choices() -> list[str]:
    return [AUTO, *names()]


def get(name: str) -> Engine:
    """The engine called `name`, imported on first use; ConfigError for a name no engine has."""
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r}; choose one of: {', '.join(choices())}")
    spec = ENGINES[name]
    if spec not in _loaded:
        module, _, attr = spec.partition(":")
        _loaded[spec] = getattr(importlib.import_module(module), attr)()
    return _loaded[spec]


def choose(settings: Settings) -> tuple[Engine, str]:
    """The engine `settings` selects and why, resolving `auto`."""
    if settings.engine != AUTO:
        return get(settings.engine), f"--engine {settings.engine} was asked for"
    for name in ENGINES:
        engine = get(name)
        reason = engine.auto_reason(settings)
        if reason is not None:
            return engine, reason
    raise ConfigError("no engine accepts these settings; name one with --engine")
