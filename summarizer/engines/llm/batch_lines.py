"""The llm engine's requests and answers as the provider's Batch API carries them.

A document becomes one chat-completion body per chunk, built by `transport.request_body` exactly as the
per-request path builds it (same prompt, schema and structured-output mode), and the answers that come
back in the batch's output file are read by `transport.parse_answer` and merged by `extraction`'s own
`_result`: a brief made through a batch has the form of one made request by request. The batch machinery
itself (files, batches, ledger) lives in `summarizer.batch_api`, which reaches this module through the
engine object (`LLMEngine.batch_bodies` / `batch_result`), never by importing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openai.types.chat import ChatCompletion

from summarizer.config import ModelWrites, Settings
from summarizer.engines import EngineResult
from summarizer.engines.llm.extraction import _languages, _messages, _plan, _result
from summarizer.engines.llm.transport import _Tally, parse_answer, request_body
from summarizer.engines.llm.wire import to_draft
from summarizer.errors import ConfigError
from summarizer.text import CleanText


def bodies(clean: CleanText, settings: Settings, *, default: ModelWrites = "brief") -> list[dict[str, Any]]:
    """The request body of each chunk of `clean`, in chunk order. Only whole-brief requests: the summary
    mode's rules run beside one request, which a batch file cannot hold."""
    if (settings.model_writes or default) == "summary":
        raise ConfigError("--batch-api sends whole-brief requests: use --model-writes brief")
    chunks = _plan(clean, settings)
    languages = _languages(clean, settings)
    return [request_body(settings, _messages(chunk, i, len(chunks), languages)) for i, chunk in enumerate(chunks)]


def result(clean: CleanText, answers: Sequence[dict[str, Any]], settings: Settings) -> EngineResult:
    """The engine's result from the chat completions answering `bodies(clean, settings)`, in chunk order.

    Raises ValueError (pydantic's ValidationError among them) naming the chunk whose answer does not fit
    the schema, or when the number of answers is not the number of chunks."""
    chunks = _plan(clean, settings)
    if len(answers) != len(chunks):
        raise ValueError(f"{len(answers)} answers for {len(chunks)} chunks")
    tally = _Tally(attempts=len(answers))
    drafts = []
    for i, (chunk, answer) in enumerate(zip(chunks, answers, strict=True)):
        completion = ChatCompletion.model_validate(answer)
        tally.add(completion)
        try:
            wire = parse_answer(settings, completion)
        except Exception as exc:  # instructor raises several kinds; all mean "this answer does not fit"
            raise ValueError(f"chunk {i + 1} of {len(chunks)}: the answer does not fit the schema ({_short(exc)})") from exc
        drafts.append(to_draft(wire, clean, chunk))
    return _result(drafts, tally, settings)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:199] + "…"
