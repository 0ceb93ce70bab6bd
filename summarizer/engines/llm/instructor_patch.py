"""A process-wide speed-up of instructor 1.17.0, the pinned version: its check for async validators
is remembered per class.

instructor 1.17 checks that the response model has no async validators six times per request, each time
walking every class of the model and every attribute they inherit from pydantic: about 1.1 ms a request,
a fifth of a batch worker's CPU. The answer depends only on the class, so it is computed once per class;
a class that fails is not remembered and fails on every request, as before.

The patch replaces a function inside instructor, so it is applied only to the version it was written
against: any other version runs unpatched, just slower.
"""

from __future__ import annotations

import importlib.metadata
import weakref
from functools import cache, wraps
from typing import Any, Protocol

PINNED_VERSION = "1.17.0"


class _Check(Protocol):
    def __call__(self, response_model: Any) -> None: ...


def _once_per_class(check: _Check) -> _Check:
    """`check(model)`, remembered for classes that passed it (weakly: a class that goes away is forgotten)."""
    passed: weakref.WeakSet[type] = weakref.WeakSet()

    @wraps(check)
    def once(response_model: Any) -> None:
        if not isinstance(response_model, type):
            check(response_model)
        elif response_model not in passed:
            check(response_model)
            passed.add(response_model)

    return once


@cache
def apply() -> _Check | None:
    """Install the remembering check, once per process, if instructor is the pinned version; the
    installed check, or None when instructor is another version."""
    if importlib.metadata.version("instructor") != PINNED_VERSION:
        return None
    # Imported after the version check: these internal modules may not exist in other versions.
    from instructor.v2.core import patch
    from instructor.v2.validation import async_validators

    check = _once_per_class(async_validators.reject_async_validators)
    # The pinned version's two bindings of the function: the module's own, read at each call by the
    # modules that import it in their functions, and the one `patch` imported at load.
    async_validators.reject_async_validators = check
    patch.reject_async_validators = check
    return check
