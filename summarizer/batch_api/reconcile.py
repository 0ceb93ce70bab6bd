"""An intent carried to a submitted batch, whether it starts now or after a crash.

Each step writes its answer to the store before the next call, and an intent left `prepared` or
`uploaded` by a killed run is first looked up at the provider by its id (the file's name, the batch's
metadata) before anything is created again. The one call that bills, batches.create, is never retried
blindly: after any failure the batch list is read first.
"""

from __future__ import annotations

import logging
from typing import Literal
from pathlib import Path

import openai
from openai.types import Batch, FileObject

from summarizer.batch_api.requests import ENDPOINT
from summarizer.batch_api.store import Job, Store

COMPLETION_WINDOW: Literal["24h"] = "24h"
METADATA_KEY = "summarizer_intent"
# How far before an intent's creation a listing is still read: the provider's clock may differ from ours.
_CLOCK_SLACK_SECONDS = 3600

logger = logging.getLogger(__name__)


def find_file(api: openai.OpenAI, job: Job) -> FileObject | None:
    """The newest uploaded file named for `job`'s intent, if the provider has one."""
    for found in api.files.list(purpose="batch", order="desc", limit=1000):
        if found.filename == job.file_name:
            return found
        if found.created_at < job.created_epoch - _CLOCK_SLACK_SECONDS:
            break
    return None


def find_batch(api: openai.OpenAI, job: Job) -> Batch | None:
    """The batch created for `job`'s intent, if the provider has one (batches list newest first)."""
    for found in api.batches.list(limit=100):
        if (found.metadata or {}).get(METADATA_KEY) == job.intent_id:
            return found
        if found.created_at < job.created_epoch - _CLOCK_SLACK_SECONDS:
            break
    return None


def upload(store: Store, api: openai.OpenAI, job: Job, out: Path) -> str:
    path = out / job.jsonl_path
    with path.open("rb") as handle:
        uploaded = api.files.create(file=(job.file_name, handle, "application/jsonl"), purpose="batch")
    store.set_uploaded(job.intent_id, uploaded.id)
    return uploaded.id


def create_batch(store: Store, api: openai.OpenAI, job: Job, file_id: str) -> Batch:
    # max_retries=0: a retried create after a lost answer would be a second batch, billed twice.
    try:
        batch = api.with_options(max_retries=0).batches.create(
            input_file_id=file_id,
            endpoint=ENDPOINT,
            completion_window=COMPLETION_WINDOW,
            metadata={METADATA_KEY: job.intent_id, "summarizer_run": job.run_id},
        )
    except (openai.APIConnectionError, openai.InternalServerError):
        # It may have been created all the same: look before anyone creates it again.
        found = find_batch(api, job)
        if found is None:
            raise
        batch = found
    store.set_submitted(job.intent_id, batch.id, batch.status)
    return batch


def send(store: Store, api: openai.OpenAI, job: Job, out: Path, *, look_up: bool) -> None:
    """Carry `job` from where it stands to `submitted`. With `look_up` (an intent a killed run left), what
    the provider already holds is found and reused instead of made again."""
    file_id = job.file_id
    if job.state == "prepared":
        found = find_file(api, job) if look_up else None
        if found is not None:
            logger.info("batch intent %s: its file %s was uploaded before the crash", job.intent_id, found.id)
            store.set_uploaded(job.intent_id, found.id)
            file_id = found.id
        else:
            file_id = upload(store, api, job, out)
        look_up_batch = False  # no file was known, so no batch can have been made from it by us
    else:
        look_up_batch = look_up
    assert file_id is not None
    found_batch = find_batch(api, job) if look_up_batch else None
    if found_batch is not None:
        logger.info("batch intent %s: batch %s was created before the crash", job.intent_id, found_batch.id)
        store.set_submitted(job.intent_id, found_batch.id, found_batch.status)
    else:
        create_batch(store, api, job, file_id)
    # The provider holds the requests now; the local copy was only for re-uploading.
    (out / job.jsonl_path).unlink(missing_ok=True)


def resume(store: Store, api: openai.OpenAI, out: Path) -> int:
    """Send every intent a previous run left half done; how many there were."""
    jobs = store.jobs(["prepared", "uploaded"])
    for job in jobs:
        try:
            send(store, api, job, out, look_up=True)
        except FileNotFoundError:
            # Nothing was uploaded and the request file is gone: nothing was billed, so its documents
            # simply go back to pending and into the next file.
            store.abandon(job.intent_id, f"its request file {job.jsonl_path} was lost before upload")
    return len(jobs)
