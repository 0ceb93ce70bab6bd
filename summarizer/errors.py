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


# (module, class name, message): an error that crosses a process boundary whatever its class holds.
PortableError = tuple[str, str, str]


def to_portable(exc: BaseException) -> PortableError:
    return type(exc).__module__, type(exc).__name__, str(exc)


def from_portable(error: PortableError) -> SummarizerError:
    """The error again: the same class for this module's errors, an EngineError naming it otherwise."""
    module, name, message = error
    cls = globals().get(name) if module == __name__ else None
    if isinstance(cls, type) and issubclass(cls, SummarizerError):
        return cls(message)
    return EngineError(f"{name}: {message}" if message else name)
