"""One policy for secrets in everything summarizer shows or stores: messages, logs, tracebacks with
--debug, the nightly ledger and run reports.

Two kinds of secret are blanked out as '***': the values configured for this run (the API key) and
anything shaped like a credential that a server may quote back (sk-..., Bearer ..., api_key=...,
user:password@ in a URL).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from summarizer.config import Settings

T = TypeVar("T")
MASK = "***"
# Shorter keys are placeholders for servers that ignore them ("x", "none", "ollama"), not secrets; blanking
# every occurrence of such a word would garble messages ("use --engine e***tractive").
MIN_SECRET_CHARS = 8
_CREDENTIAL_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}"), MASK),
    (re.compile(r"(?i)\b(bearer\s+)[^\s\"',;]{6,}"), rf"\1{MASK}"),
    (
        re.compile(r"(?i)\b(api[-_]?key|access[-_]?token|password|secret)([\"']?\s*[=:]\s*[\"']?)[^\s\"',;]{6,}"),
        rf"\1\2{MASK}",
    ),
    (re.compile(r"(?i)(https?://)[^/\s:@]+:[^/\s@]+@"), rf"\1{MASK}@"),
)


def secrets_of(settings: Settings) -> list[str]:
    """The configured values no message, log or file may show."""
    key = settings.api_key.get_secret_value() if settings.api_key else ""
    return [key] if len(key) >= MIN_SECRET_CHARS else []


def redact_text(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    for pattern, replacement in _CREDENTIAL_SHAPES:
        text = pattern.sub(replacement, text)
    return text


def redact(value: T, secrets: list[str] | tuple[str, ...] = ()) -> T:
    """`value` with every string in it redacted: a message, or an error body's nested JSON."""
    if isinstance(value, str):
        return redact_text(value, secrets)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: redact(v, secrets) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [redact(v, secrets) for v in value]  # type: ignore[return-value]
    return value


def without_credentials(url: str) -> str:
    """The URL without any user:password in it, for messages, logs and provenance."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))
