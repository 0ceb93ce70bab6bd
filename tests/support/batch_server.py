"""A loopback server that speaks OpenAI's Files and Batch APIs, for `summarizer nightly --batch-api`.

HAND-WRITTEN, not recorded: it follows the published wire format of the Batch API (files upload with
purpose "batch", file content, batches create / retrieve / list / cancel, the batch object's statuses
and request counts, the output and error files' line format) so that the real `openai` SDK can drive
it. Its answers are the fake model of tests/support/openai_server.py (`answer_json` / `completion`),
the very answers that server gives request by request, so a brief made through a batch can be compared
with one made request by request. No test presents its answers as evidence of quality.

Usage::

    with FakeBatchAPI() as api:                  # http://127.0.0.1:PORT/v1
        api.advance = "manual"                    # batches stay where they are until told (the default)
        ... run the client ...
        api.finish_all()                          # every batch to its end (completed, or its fate)
        api.fate = lambda batch: "expire"         # or "complete" (default), "fail", "cancel"
        api.expire_after = 3                      # an expired batch answers its first 3 lines
        api.line = lambda custom_id, body: "ok"   # or "error" (HTTP 500 line), "invalid" (error-only
                                                  # line), "schema" (200 whose answer breaks the schema)
        api.kill_on("batches.create", pid)        # SIGKILL pid on that call, after the server acted on it
                                                  # and before it answers ("files.create" too)

POST /v1/chat/completions answers request by request with the same fake model (for --batch-fallback).

With `advance = "auto"` each retrieve of a batch moves it one status on: validating -> in_progress ->
finalizing -> completed (or failed at validation, expired, cancelling -> cancelled).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.openai_server import SCHEMA_VIOLATION, answer_json, article_text, completion, draft_from_article

MAX_LINES = 50_000
MAX_BYTES = 200 * 1024 * 1024
ENDED = {"completed", "failed", "expired", "cancelled"}


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int

    def object(self) -> dict[str, Any]:
        return {"id": self.id, "object": "file", "bytes": len(self.data), "created_at": self.created_at,
                "filename": self.filename, "purpose": self.purpose, "status": "processed", "expires_at": None,
                "status_details": None}


@dataclass
class StoredBatch:
    id: str
    input_file_id: str
    endpoint: str
    metadata: dict[str, str] | None
    created_at: int
    status: str = "validating"
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[dict[str, Any]] | None = None
    counts: dict[str, int] = field(default_factory=lambda: {"total": 0, "completed": 0, "failed": 0})
    stamps: dict[str, int] = field(default_factory=dict)
    cancel_requested: bool = False

    def object(self) -> dict[str, Any]:
        return {
            "id": self.id, "object": "batch", "endpoint": self.endpoint,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
            "input_file_id": self.input_file_id, "completion_window": "24h", "status": self.status,
            "output_file_id": self.output_file_id, "error_file_id": self.error_file_id,
            "created_at": self.created_at, "request_counts": dict(self.counts), "metadata": self.metadata,
            **{f"{name}_at": stamp for name, stamp in self.stamps.items()},
        }


class FakeBatchAPI:
    def __init__(self, *, lifetime: float = 600.0) -> None:
        self.files: dict[str, StoredFile] = {}
        self.batches: dict[str, StoredBatch] = {}
        self.advance = "manual"
        self.fate: Callable[[StoredBatch], str] = lambda batch: "complete"
        self.expire_after = 0
        self.line: Callable[[str, dict[str, Any]], str] = lambda custom_id, body: "ok"
        self.calls: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()  # custom_id -> lines the "model" ran (what a provider bills)
        # Time spent answering requests: the client waits meanwhile, and a benchmark of the client's own
        # work subtracts it (this server shares the machine; a provider's runs elsewhere).
        self.serving_seconds = 0.0
        self._kills: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._clock = int(time.time())
        self._lifetime = lifetime
        self._server: ThreadingHTTPServer | None = None
        self._watchdog: threading.Timer | None = None

    # --- control ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def kill_on(self, call: str, pid: int) -> None:
        self._kills[call] = pid

    def finish_all(self) -> None:
        with self._lock:
            for batch in self.batches.values():
                while batch.status not in ENDED:
                    self._step(batch)

    def step_all(self) -> None:
        with self._lock:
            for batch in self.batches.values():
                if batch.status not in ENDED:
                    self._step(batch)

    def input_lines(self, batch: StoredBatch) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.files[batch.input_file_id].data.splitlines() if line.strip()]

    def submitted_custom_ids(self) -> Counter[str]:
        """custom_id -> batches whose input held it."""
        return Counter(line["custom_id"] for batch in self.batches.values() for line in self.input_lines(batch))

    def start(self) -> FakeBatchAPI:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.owner = self  # type: ignore[attr-defined]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        # A watchdog in case a test never stops it; a daemon, cancelled by stop(), so that it never keeps
        # the process alive after its work is done.
        self._watchdog = threading.Timer(self._lifetime, self.stop)
        self._watchdog.daemon = True
        self._watchdog.start()
        return self

    def stop(self) -> None:
        if self._watchdog is not None and self._watchdog is not threading.current_thread():
            self._watchdog.cancel()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeBatchAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the provider's side ---------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):06d}"

    def _now(self) -> int:
        # Strictly increasing, so that "newest first" is well defined however fast the calls come.
        self._clock = max(self._clock + 1, int(time.time()))
        return self._clock

    def _add_file(self, filename: str, purpose: str, data: bytes) -> StoredFile:
        stored = StoredFile(self._new_id("file"), filename, purpose, data, self._now())
        self.files[stored.id] = stored
        return stored

    def _validate(self, batch: StoredBatch) -> list[dict[str, Any]]:
        data = self.files[batch.input_file_id].data
        errors: list[dict[str, Any]] = []
        if len(data) > MAX_BYTES:
            errors.append({"code": "file_too_large", "message": "The input file exceeds 200 MB.", "line": None})
        seen: set[str] = set()
        lines = [line for line in data.splitlines() if line.strip()]
        if len(lines) > MAX_LINES:
            errors.append({"code": "too_many_requests", "message": "More than 50,000 requests.", "line": None})
        for number, raw in enumerate(lines, 1):
            try:
                line = json.loads(raw)
            except ValueError:
                errors.append({"code": "invalid_json_line", "message": "Not JSON.", "line": number})
                continue
            cid = line.get("custom_id")
            if cid in seen:
                errors.append({"code": "duplicate_custom_id", "message": f"Duplicate custom_id {cid}.", "line": number})
            seen.add(cid)
            if line.get("url") != batch.endpoint or line.get("method") != "POST":
                errors.append({"code": "invalid_url", "message": "url must be the batch's endpoint.", "line": number})
        batch.counts["total"] = len(lines)
        return errors

    def _step(self, batch: StoredBatch) -> None:
        now = self._now()
        if batch.status == "validating":
            errors = self._validate(batch)
            if errors:
                batch.status, batch.errors = "failed", errors
                batch.stamps["failed"] = now
            else:
                batch.status = "in_progress"
                batch.stamps["in_progress"] = now
            return
        fate = "cancel" if batch.cancel_requested else self.fate(batch)
        if batch.status == "in_progress":
            if fate == "fail":
                batch.status = "failed"
                batch.errors = [{"code": "server_error", "message": "The batch could not be run.", "line": None}]
                batch.stamps["failed"] = now
            elif fate == "expire":
                self._run(batch, limit=self.expire_after, rest="batch_expired")
                batch.status = "expired"
                batch.stamps["expired"] = now
            elif fate == "cancel":
                batch.status = "cancelling"
                batch.stamps["cancelling"] = now
            else:
                batch.status = "finalizing"
                batch.stamps["finalizing"] = now
        elif batch.status == "cancelling":
            self._run(batch, limit=0, rest="batch_cancelled")
            batch.status = "cancelled"
            batch.stamps["cancelled"] = now
        elif batch.status == "finalizing":
            self._run(batch)
            batch.status = "completed"
            batch.stamps["completed"] = now

    def _run(self, batch: StoredBatch, limit: int | None = None, rest: str = "") -> None:
        """Answer the batch's lines (the first `limit`, the others failed with code `rest`) into files."""
        out: list[str] = []
        err: list[str] = []
        for number, line in enumerate(self.input_lines(batch)):
            cid, body = line["custom_id"], line["body"]
            request_id = f"batch_req_{batch.id}_{number}"
            if limit is not None and number >= limit:
                message = {"batch_expired": "This request could not be executed before the completion window "
                           "expired.", "batch_cancelled": "The batch was cancelled."}[rest]
                err.append(json.dumps({"id": request_id, "custom_id": cid, "response": None,
                                       "error": {"code": rest, "message": message}}))
                continue
            kind = self.line(cid, body)
            self.answered[cid] += 1
            if kind == "error":
                body_error = {"error": {"message": "The server had an error processing your request.",
                                        "type": "server_error", "param": None, "code": None}}
                err.append(json.dumps({"id": request_id, "custom_id": cid, "error": None,
                                       "response": {"status_code": 500, "request_id": request_id, "body": body_error}}))
                continue
            if kind == "invalid":
                err.append(json.dumps({"id": request_id, "custom_id": cid, "response": None,
                                       "error": {"code": "invalid_request", "message": "The request is invalid."}}))
                continue
            if kind == "schema":
                _, tool = answer_json(body, {})
                answer = completion(body, content=json.dumps(SCHEMA_VIOLATION), tool=tool)
            else:
                text, tool = answer_json(body, draft_from_article(article_text(body)))
                answer = completion(body, content=text, tool=tool)
            out.append(json.dumps({"id": request_id, "custom_id": cid, "error": None,
                                   "response": {"status_code": 200, "request_id": request_id, "body": answer}}))
        batch.counts["completed"], batch.counts["failed"] = len(out), len(err)
        # As the real API: a file only when it has lines (every line failed: no output file at all).
        if out:
            batch.output_file_id = self._add_file(f"{batch.id}_output.jsonl", "batch_output",
                                                  ("\n".join(out) + "\n").encode()).id
        if err:
            batch.error_file_id = self._add_file(f"{batch.id}_error.jsonl", "batch_output",
                                                 ("\n".join(err) + "\n").encode()).id

    def _maybe_kill(self, call: str) -> bool:
        pid = self._kills.pop(call, None)
        if pid is None:
            return False
        os.kill(pid, signal.SIGKILL)
        return True


def _page(items: list[dict[str, Any]], query: dict[str, list[str]], default_limit: int) -> dict[str, Any]:
    after = (query.get("after") or [None])[0]
    limit = int((query.get("limit") or [default_limit])[0])
    if after is not None:
        ids = [item["id"] for item in items]
        items = items[ids.index(after) + 1:] if after in ids else []
    page = items[:limit]
    return {"object": "list", "data": page, "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None, "has_more": len(items) > limit}


def _timed(method: Callable[[_Handler], None]) -> Callable[[_Handler], None]:
    def serve(handler: _Handler) -> None:
        began = time.perf_counter()
        try:
            method(handler)
        finally:
            with handler.api._lock:
                handler.api.serving_seconds += time.perf_counter() - began

    return serve


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    @property
    def api(self) -> FakeBatchAPI:
        return self.server.owner

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _json(self, status: int, payload: Any) -> None:
        self._raw(status, json.dumps(payload).encode(), "application/json")

    def _raw(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _not_found(self, what: str) -> None:
        self._json(404, {"error": {"message": f"No such {what}", "type": "invalid_request_error", "param": None,
                                   "code": None}})

    @_timed
    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        url = urlsplit(self.path)
        parts, query = url.path.strip("/").split("/"), parse_qs(url.query)
        api = self.api
        with api._lock:
            if parts == ["v1", "files"]:
                api.calls["files.list"] += 1
                purpose = (query.get("purpose") or [None])[0]
                files = [f.object() for f in api.files.values() if purpose in (None, f.purpose)]
                files.sort(key=lambda f: (f["created_at"], f["id"]), reverse=(query.get("order") or ["desc"])[0] == "desc")
                return self._json(200, _page(files, query, 10_000))
            if len(parts) == 3 and parts[:2] == ["v1", "files"]:
                stored = api.files.get(parts[2])
                return self._json(200, stored.object()) if stored else self._not_found("file")
            if len(parts) == 4 and parts[:2] == ["v1", "files"] and parts[3] == "content":
                api.calls["files.content"] += 1
                stored = api.files.get(parts[2])
                return self._raw(200, stored.data, "application/octet-stream") if stored else self._not_found("file")
            if parts == ["v1", "batches"]:
                api.calls["batches.list"] += 1
                batches = sorted(api.batches.values(), key=lambda b: (b.created_at, b.id), reverse=True)
                return self._json(200, _page([b.object() for b in batches], query, 20))
            if len(parts) == 3 and parts[:2] == ["v1", "batches"]:
                api.calls["batches.retrieve"] += 1
                batch = api.batches.get(parts[2])
                if batch is None:
                    return self._not_found("batch")
                if api.advance == "auto" and batch.status not in ENDED:
                    api._step(batch)
                return self._json(200, batch.object())
        self._not_found("route")

    @_timed
    def do_DELETE(self) -> None:  # noqa: N802 - stdlib name
        parts = urlsplit(self.path).path.strip("/").split("/")
        with self.api._lock:
            if len(parts) == 3 and parts[:2] == ["v1", "files"] and self.api.files.pop(parts[2], None):
                return self._json(200, {"id": parts[2], "object": "file", "deleted": True})
        self._not_found("file")

    @_timed
    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        parts = urlsplit(self.path).path.strip("/").split("/")
        body = self._body()
        api = self.api
        with api._lock:
            if parts == ["v1", "files"]:
                api.calls["files.create"] += 1
                stored = self._upload(body)
                if api._maybe_kill("files.create"):
                    return self.close_connection_now()
                return self._json(200, stored.object())
            if parts == ["v1", "batches"]:
                api.calls["batches.create"] += 1
                request = json.loads(body)
                if request.get("input_file_id") not in api.files:
                    return self._not_found("file")
                if request.get("completion_window") != "24h":
                    return self._json(400, {"error": {"message": "completion_window must be 24h",
                                                      "type": "invalid_request_error", "param": None, "code": None}})
                batch = StoredBatch(api._new_id("batch"), request["input_file_id"], request["endpoint"],
                                    request.get("metadata"), api._now())
                api.batches[batch.id] = batch
                if api._maybe_kill("batches.create"):
                    return self.close_connection_now()
                return self._json(200, batch.object())
            if parts == ["v1", "chat", "completions"]:
                # The per-request path (--batch-fallback) against the same fake model.
                api.calls["chat.completions"] += 1
                request = json.loads(body)
                text, tool = answer_json(request, draft_from_article(article_text(request)))
                return self._json(200, completion(request, content=text, tool=tool))
            if len(parts) == 4 and parts[:2] == ["v1", "batches"] and parts[3] == "cancel":
                api.calls["batches.cancel"] += 1
                batch = api.batches.get(parts[2])
                if batch is None:
                    return self._not_found("batch")
                if batch.status not in ENDED:
                    batch.cancel_requested = True
                    if batch.status in ("validating", "in_progress"):
                        batch.status = "cancelling"
                return self._json(200, batch.object())
        self._not_found("route")

    def close_connection_now(self) -> None:
        # The client is dead; give the kernel a moment to reap it, then drop the connection unanswered.
        time.sleep(0.2)
        self.close_connection = True

    def _upload(self, body: bytes) -> StoredFile:
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        fields: dict[str, Any] = {}
        filename = "upload.jsonl"
        for part in message.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            if part.get_filename():
                filename = part.get_filename()
            fields[name] = part.get_payload(decode=True)
        return self.api._add_file(filename, fields.get("purpose", b"").decode(), fields.get("file", b""))
