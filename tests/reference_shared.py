"""`Shared.share` as it was before DoneBriefs crossed the pipe `compact` and were built and shared in one
pass (`Shared.build`). tests/nightly/test_shared.py checks that the new one gives the same objects, shared
the same way. Kept here, not in summarizer/, because nothing but the tests may use it."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")


class Shared:
    """One copy of each equal string (and equal float-free part) of the DoneBriefs a run keeps.

    A night's briefs repeat much: actor names, units, what figures measure, the quotes of a syndicated
    article's copies. Each DoneBrief a worker process sends is unpickled into objects of its own, so
    10,000 of them would hold as many copies; `share` gives back the DoneBrief made of the copies seen
    first, and the fresh ones are freed. Parts holding a float are rebuilt but never swapped for an equal
    one (1.0 == 1 and 0.0 == -0.0, which JSON writes differently); enum members are kept as they are."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}
        self._fields: dict[type, tuple[str, ...]] = {}

    def share(self, obj: T) -> T:
        return self._share(obj)[0]

    def _share(self, obj: Any) -> tuple[Any, bool]:
        """(obj made of shared parts, whether it may itself be swapped for an equal one)."""
        kind = type(obj)
        if kind is str:
            return self._seen.setdefault(obj, obj), True
        if kind is float or kind is bool:
            return obj, False
        if kind is tuple:
            parts = [self._share(part) for part in obj]
            made = tuple(part for part, _ in parts)
            return self._keep(made, all(ok for _, ok in parts))
        names = self._fields.get(kind)
        if names is None:
            if not dataclasses.is_dataclass(obj):
                # Enum members are kept as the members they are (a str enum equals its value).
                return obj, obj is None or kind is int or kind is bytes or isinstance(obj, Enum)
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(obj))
        values = [self._share(getattr(obj, name)) for name in names]
        made = kind(*(value for value, _ in values))
        return self._keep(made, kind.__hash__ is not None and all(ok for _, ok in values))

    def _keep(self, made: Any, swappable: bool) -> tuple[Any, bool]:
        return (self._seen.setdefault(made, made), True) if swappable else (made, False)

