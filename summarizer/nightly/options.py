"""The options of one nightly run, validated when they are made: a bad one is a one-line ConfigError."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidatorFunctionWrapHandler, model_validator
from pydantic_core import ErrorDetails

from summarizer.batch_api.options import BatchApiOptions
from summarizer.config import Settings
from summarizer.errors import ConfigError

# A value out of range, named as the CLI spells the option. The bounds repeat the Field constraints
# because the message has to state them in words; scripts and tests match these messages exactly.
_OUT_OF_RANGE = {
    "concurrency": "--concurrency {value}: give a number from 1 to 64",
    "max_docs": "--max-docs {value}: give at least 1",
    "token_budget": "--token-budget {value}: give at least 1",
    "doc_timeout": "--doc-timeout {value:g}: give a number of seconds above 0",
    "quarantine_after": "--quarantine-after {value}: give at least 1",
}
# Failed attempts in a row before a document is quarantined: a night's outage costs one failure each,
# a document that cannot be summarized stops making every night's run fail within a few nights.
QUARANTINE_AFTER = 3
_RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


class NightlyOptions(BaseModel):
    """What one nightly run is asked to do, checked when made like `Settings`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    inputs: Sequence[str]
    out: Path
    settings: Settings
    concurrency: int | None = Field(None, ge=1, le=64, description="Documents at once; the engine's default if unset.")
    max_docs: int | None = Field(None, ge=1, description="Start at most this many documents.")
    token_budget: int | None = Field(None, ge=1, description="Start no new document once this many tokens are spent.")
    force: bool = False
    since: datetime | None = None
    doc_timeout: float | None = Field(None, gt=0, description="Seconds before a document is stopped and failed.")
    batch_api: BatchApiOptions | None = Field(default=None, description="Through the provider's Batch API (summarizer.batch_api).")
    night: date | None = Field(None, description="The night the run stands for in story memory; today (UTC) if unset.")
    quarantine_after: int = Field(
        default=QUARANTINE_AFTER, ge=1, description="Failed attempts in a row before a document is no longer retried."
    )
    retry_failed: bool = Field(default=False, description="Retry quarantined documents too.")

    @model_validator(mode="wrap")
    @classmethod
    def _as_config_error(cls, data: object, handler: ValidatorFunctionWrapHandler) -> NightlyOptions:
        # A ConfigError (not a ValueError) passes through pydantic untouched, so callers and the CLI see
        # the same one-line usage error as for any other bad option.
        try:
            return handler(data)
        except ValidationError as exc:
            raise _config_error(exc.errors()[0]) from None


def _flag(field: str) -> str:
    """The option as `summarizer nightly --help` spells it; a field with no flag of its own, as named."""
    if field == "inputs":
        return "INPUT"
    if field in NightlyOptions.model_fields and field != "settings":
        return "--" + field.replace("_", "-")
    return field


def _config_error(error: ErrorDetails) -> ConfigError:
    if not error["loc"]:  # not a mapping of options at all
        return ConfigError(f"nightly options: {error['msg']}")
    field = str(error["loc"][0])
    template = _OUT_OF_RANGE.get(field)
    if template is not None and error["type"] in _RANGE_ERRORS:
        return ConfigError(template.format(value=error["input"]))
    return ConfigError(f"{_flag(field)}: {error['msg']}")
