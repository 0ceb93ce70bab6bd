"""Exceptions a user can act on. Each carries the CLI exit code it maps to."""

from __future__ import annotations


class SummarizerError(Exception):
    """Base class: the message is one line that names the input and says what to do."""

    exit_code = 1


class InputError(SummarizerError):
    """The input cannot be used: missing, empty, binary, undecodable, too large."""

    exit_code = 2


class ConfigError(SummarizerError):
    """Bad usage or configuration: an unknown engine, a missing model file, a bad option."""

    exit_code = 2


class EngineError(SummarizerError):
    """The engine failed after its retries: the server kept failing or never gave a valid answer."""

    exit_code = 1
