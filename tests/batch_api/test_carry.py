"""What the submit run records of each document for the collect run (summarizer.batch_api.carry): the same
Document as reading the file again, used only when made from the same bytes, path and limit, and a record
that is missing, stale or corrupt falls back to reading the file, giving the same brief."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.batch_api import carry, work
from summarizer.batch_api.run import BATCH_DIR
from summarizer.intake import from_file_bytes
from summarizer.language import Identified, language_of
from summarizer.ledger import DocKey
from summarizer.nightly.plan import content_hash
from summarizer.text import clean
from tests.batch_api.conftest import briefs, night
from tests.nightly.corpus import make_corpus
from tests.support.batch_server import FakeBatchAPI

MAX_CHARS = 200_000


def key_of(data: bytes) -> DocKey:
    return DocKey(content_hash(data), "llm", "gpt-4o-mini", "brief-2")


def test_a_record_gives_back_the_document_intake_made_of_each_format(tmp_path: Path) -> None:
    paths = make_corpus(tmp_path / "inbox", 15)  # text, Markdown and HTML files
    assert {p.suffix for p in paths} >= {".txt", ".md", ".html"}
    folder = tmp_path / "read"
    for path in paths:
        data = path.read_bytes()
        doc = from_file_bytes(data, path, max_chars=MAX_CHARS)
        found = language_of(clean(doc.text).text)
        carry.keep(folder, key_of(data), doc, MAX_CHARS, found)
        assert carry.load(folder, key_of(data), path, MAX_CHARS) == (doc, found)
    html = next(p for p in paths if p.suffix == ".html")
    loaded = carry.load(folder, key_of(html.read_bytes()), html, MAX_CHARS)
    assert loaded is not None and loaded[0].media_type == "text/html" and loaded[0].title


def test_a_record_for_other_bytes_another_path_or_limit_is_not_used(tmp_path: Path) -> None:
    path = make_corpus(tmp_path / "inbox", 1)[0]
    data = path.read_bytes()
    folder = tmp_path / "read"
    doc = from_file_bytes(data, path, max_chars=MAX_CHARS)
    carry.keep(folder, key_of(data), doc, MAX_CHARS, None)
    assert carry.load(folder, key_of(data), path, MAX_CHARS) == (doc, None)
    assert carry.load(folder, key_of(data), path.with_name("elsewhere.txt"), MAX_CHARS) is None
    assert carry.load(folder, key_of(data), path, MAX_CHARS - 1) is None
    # A record whose content hash is not the key's (the file under this name was replaced).
    record = json.loads(carry.record_path(folder, key_of(data)).read_text())
    carry.record_path(folder, key_of(data)).write_text(json.dumps({**record, "content_hash": "0" * 64}))
    assert carry.load(folder, key_of(data), path, MAX_CHARS) is None


@pytest.mark.parametrize("damage", [
    "", "{", "[]", '{"format": 1}', "\x00\x01", "null",
    json.dumps({"format": 99}),
])
def test_a_corrupt_or_foreign_record_reads_as_none(tmp_path: Path, damage: str) -> None:
    path = make_corpus(tmp_path / "inbox", 1)[0]
    data = path.read_bytes()
    folder = tmp_path / "read"
    folder.mkdir()
    carry.record_path(folder, key_of(data)).write_text(damage)
    assert carry.load(folder, key_of(data), path, MAX_CHARS) is None
    assert carry.load(tmp_path / "nowhere", key_of(data), path, MAX_CHARS) is None


def test_a_record_with_fields_changed_or_missing_reads_as_none(tmp_path: Path) -> None:
    path = make_corpus(tmp_path / "inbox", 1)[0]
    data = path.read_bytes()
    folder = tmp_path / "read"
    carry.keep(folder, key_of(data), from_file_bytes(data, path, max_chars=MAX_CHARS), MAX_CHARS,
               Identified("en", 0.98))
    record = json.loads(carry.record_path(folder, key_of(data)).read_text())
    for broken in (
        {**record, "document": {k: v for k, v in record["document"].items() if k != "title"}},
        {**record, "document": {**record["document"], "surprise": 1}},
        {**record, "document": {**record["document"], "text": 7}},
        {**record, "document": {**record["document"], "meta": {"colour": "red"}}},
        {**record, "language": {"code": "en"}},
    ):
        carry.record_path(folder, key_of(data)).write_text(json.dumps(broken))
        assert carry.load(folder, key_of(data), path, MAX_CHARS) is None


def comparable(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text())
    for volatile in ("created_at", "engine_reason"):  # when, and which batch: not what
        data["provenance"].pop(volatile)
    return data


def test_missing_stale_or_corrupt_records_fall_back_to_the_same_briefs(
    batch_api: FakeBatchAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    make_corpus(inbox, 12)
    intact, damaged = tmp_path / "intact", tmp_path / "damaged"
    night(batch_api, inbox, intact)
    night(batch_api, inbox, damaged)
    records = sorted((damaged / BATCH_DIR / carry.FOLDER).glob("*.json"))
    assert len(records) == 12 and len(list((intact / BATCH_DIR / carry.FOLDER).glob("*.json"))) == 12
    records[0].unlink()
    records[1].write_text("{ not json")
    stale = json.loads(records[2].read_text())
    records[2].write_text(json.dumps({**stale, "content_hash": "f" * 64,
                                      "document": {**stale["document"], "text": "Another text."}}))
    records[3].write_bytes(b"\xff\xfe")
    batch_api.finish_all()

    # Collecting with intact records reads no file again; with damaged ones, only the four files.
    parsed: list[Path] = []

    def counted(data: bytes, path: Path, *, max_chars: int):  # type: ignore[no-untyped-def]
        parsed.append(path)
        return from_file_bytes(data, path, max_chars=max_chars)

    monkeypatch.setattr(work, "from_file_bytes", counted)
    assert night(batch_api, inbox, intact).counts.done == 12
    assert parsed == []
    assert night(batch_api, inbox, damaged).counts.done == 12
    assert len(parsed) == 4

    assert [comparable(p) for p in briefs(damaged)] == [comparable(p) for p in briefs(intact)]
    for out in (intact, damaged):  # a written brief's record is removed
        assert list((out / BATCH_DIR / carry.FOLDER).iterdir()) == []


def test_briefs_through_records_are_those_of_reading_every_file(
    batch_api: FakeBatchAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    make_corpus(inbox, 10)
    carried, read = tmp_path / "carried", tmp_path / "read"
    night(batch_api, inbox, carried)
    night(batch_api, inbox, read)
    for record in (read / BATCH_DIR / carry.FOLDER).glob("*.json"):
        record.unlink()
    batch_api.finish_all()
    night(batch_api, inbox, carried)
    night(batch_api, inbox, read)
    assert len(briefs(carried)) == 10
    for a, b in zip(briefs(carried), briefs(read), strict=True):
        assert comparable(a) == comparable(b)
        assert a.with_suffix(".md").read_text().split("_engine")[0] == b.with_suffix(".md").read_text().split("_engine")[0]


def test_records_of_documents_no_longer_in_flight_are_swept(tmp_path: Path) -> None:
    folder = tmp_path / "read"
    folder.mkdir()
    for name in ("dkept.json", "dgone.json", ".dkept.json.123.tmp"):
        (folder / name).write_text("{}")
    carry.sweep(folder, {"dkept"})
    assert sorted(p.name for p in folder.iterdir()) == ["dkept.json"]
    carry.sweep(tmp_path / "absent", set())  # no folder yet: nothing to do
