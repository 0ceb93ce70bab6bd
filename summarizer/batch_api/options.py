"""What `--batch-api` and its companions ask of a nightly run."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

# The provider's limits on one batch input file (OpenAI, 2026): requests and bytes.
MAX_REQUESTS_PER_FILE = 50_000
MAX_BYTES_PER_FILE = 200 * 1024 * 1024


class BatchApiOptions(BaseModel):
    """How a nightly run uses the Batch API."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    wait: bool = Field(default=False, description="Poll until every batch has ended instead of exiting once submitted.")
    fallback: bool = Field(default=False, description="Documents that failed max_attempts batches go request by request.")
    max_attempts: int = Field(default=3, ge=1, le=20, description="Batches a document may fail before it is given up.")
    prices: Path | None = Field(default=None, description="JSON price table over the built-in one (USD per 1M tokens).")
    poll_first: float = Field(default=5.0, gt=0, description="--wait: seconds before the first poll; doubles each time.")
    poll_max: float = Field(default=300.0, gt=0, description="--wait: the longest pause between two polls.")
    max_requests_per_file: int = Field(default=MAX_REQUESTS_PER_FILE, ge=1, le=MAX_REQUESTS_PER_FILE)
    max_bytes_per_file: int = Field(default=MAX_BYTES_PER_FILE, ge=1024, le=MAX_BYTES_PER_FILE)
