"""What the submit run records of each document for the collect run (summarizer.batch_api.carry): the same
Document as reading the file again, used only when made from the same bytes, path and limit, and a record
that is missing, stale or corrupt falls back to reading the file, giving the same brief."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from summarizer.batch_api import carry, work
from summarizer.batch_api.run import BATCH_DIR
from summarizer.batch_api.store import doc_id
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


# How the tests look into the packs: the record an index names for a document, and another put in its place.
def where(folder: Path, doc: str) -> tuple[Path, int, int] | None:
    for index in sorted(folder.glob("*" + carry.INDEX)):
        found = carry.locations(index).get(doc)
        if found is not None:
            return (index.with_suffix(carry.PACK), *found)
    return None


def recorded(folder: Path) -> list[str]:
    return sorted({doc for index in folder.glob("*" + carry.INDEX) for doc in carry.locations(index)})


def record_of(folder: Path, doc: str) -> dict[str, object]:
    found = where(folder, doc)
    assert found is not None
    pack, offset, length = found
    with pack.open("rb") as f:
        f.seek(offset)
        return json.loads(f.read(length))


def plant(folder: Path, doc: str, data: bytes) -> None:
    """`data` in place of the document's record: appended to its pack (or a pack of its own), and named by
    a later line of the pack's index; read from then on as a new process would read it."""
    found = where(folder, doc)
    pack = found[0] if found is not None else folder / ("planted" + carry.PACK)
    offset = pack.stat().st_size if pack.exists() else 0
    with pack.open("ab") as f:
        f.write(data)
    with pack.with_suffix(carry.INDEX).open("ab") as f:
        f.write(f"{doc} {offset} {len(data)}\n".encode())
    carry.close()


def unindex(folder: Path, doc: str) -> None:
    for index in folder.glob("*" + carry.INDEX):
        lines = index.read_text().splitlines(keepends=True)
        index.write_text("".join(line for line in lines if not line.startswith(doc + " ")))
    carry.close()


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
    record = record_of(folder, doc_id(key_of(data)))
    plant(folder, doc_id(key_of(data)), json.dumps({**record, "content_hash": "0" * 64}).encode())
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
    plant(folder, doc_id(key_of(data)), damage.encode())
    assert carry.load(folder, key_of(data), path, MAX_CHARS) is None
    assert carry.load(tmp_path / "nowhere", key_of(data), path, MAX_CHARS) is None


def test_a_record_with_fields_changed_or_missing_reads_as_none(tmp_path: Path) -> None:
    path = make_corpus(tmp_path / "inbox", 1)[0]
    data = path.read_bytes()
    folder = tmp_path / "read"
    carry.keep(folder, key_of(data), from_file_bytes(data, path, max_chars=MAX_CHARS), MAX_CHARS,
               Identified("en", 0.98))
    record: dict[str, Any] = record_of(folder, doc_id(key_of(data)))
    for broken in (
        {**record, "document": {k: v for k, v in record["document"].items() if k != "title"}},
        {**record, "document": {**record["document"], "surprise": 1}},
        {**record, "document": {**record["document"], "text": 7}},
        {**record, "document": {**record["document"], "meta": {"colour": "red"}}},
        {**record, "language": {"code": "en"}},
    ):
        plant(folder, doc_id(key_of(data)), json.dumps(broken).encode())
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
    folder = damaged / BATCH_DIR / carry.FOLDER
    records = recorded(folder)
    assert len(records) == 12 and len(recorded(intact / BATCH_DIR / carry.FOLDER)) == 12
    unindex(folder, records[0])
    plant(folder, records[1], b"{ not json")
    stale: dict[str, Any] = record_of(folder, records[2])
    plant(folder, records[2], json.dumps({**stale, "content_hash": "f" * 64,
                                          "document": {**stale["document"], "text": "Another text."}}).encode())
    plant(folder, records[3], b"\xff\xfe")
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
    for out in (intact, damaged):  # a written brief's record is removed (its pack, none being in flight)
        assert list((out / BATCH_DIR / carry.FOLDER).iterdir()) == []


def test_briefs_through_records_are_those_of_reading_every_file(
    batch_api: FakeBatchAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    make_corpus(inbox, 10)
    carried, read = tmp_path / "carried", tmp_path / "read"
    night(batch_api, inbox, carried)
    night(batch_api, inbox, read)
    for record in (read / BATCH_DIR / carry.FOLDER).iterdir():
        record.unlink()
    batch_api.finish_all()
    night(batch_api, inbox, carried)
    night(batch_api, inbox, read)
    assert len(briefs(carried)) == 10
    for a, b in zip(briefs(carried), briefs(read), strict=True):
        assert comparable(a) == comparable(b)
        assert a.with_suffix(".md").read_text().split("_engine")[0] == b.with_suffix(".md").read_text().split("_engine")[0]



def kept(folder: Path, paths: list[Path]) -> list[tuple[Path, DocKey, object]]:
    """Each file read and its record kept: (path, key, what load must give back)."""
    made: list[tuple[Path, DocKey, object]] = []
    for path in paths:
        data = path.read_bytes()
        doc = from_file_bytes(data, path, max_chars=MAX_CHARS)
        carry.keep(folder, key_of(data), doc, MAX_CHARS, None)
        made.append((path, key_of(data), (doc, None)))
    return made


def test_a_pack_cut_short_by_a_kill_loses_only_its_last_record(tmp_path: Path) -> None:
    folder = tmp_path / "read"
    made = kept(folder, make_corpus(tmp_path / "inbox", 3))
    (pack,) = folder.glob("*" + carry.PACK)
    index = pack.with_suffix(carry.INDEX)
    last = where(folder, doc_id(made[2][1]))
    assert last is not None
    # Killed while writing the third record (its line was written: the record is shorter than it says),
    # then while writing a fourth line (a line without its end).
    with pack.open("r+b") as f:
        f.truncate(last[1] + last[2] // 2)
    with index.open("ab") as f:
        f.write(f"{doc_id(made[0][1])} 0".encode())
    carry.close()  # read as a new process would
    assert [carry.load(folder, key, path, MAX_CHARS) for path, key, _ in made] == [made[0][2], made[1][2], None]


def test_a_killed_writer_leaves_whole_records_and_other_processes_write_packs_of_their_own(tmp_path: Path) -> None:
    folder = tmp_path / "read"
    paths = make_corpus(tmp_path / "inbox", 9)
    made = kept(folder, paths[:1])  # this process's pack is open when the workers fork
    children = []
    for part in (paths[1:4], paths[4:7]):
        pid = os.fork()
        if pid == 0:  # a worker that records its documents, then is killed before it returns
            kept(folder, part)
            os.kill(os.getpid(), signal.SIGKILL)
        children.append(pid)
    for pid in children:
        assert os.WTERMSIG(os.waitpid(pid, 0)[1]) == signal.SIGKILL
    made += kept(folder, paths[7:])  # after the fork, still to this process's own pack
    assert len(list(folder.glob("*" + carry.PACK))) == 3
    for path in paths:
        data = path.read_bytes()
        assert carry.load(folder, key_of(data), path, MAX_CHARS) == (from_file_bytes(data, path, max_chars=MAX_CHARS),
                                                                      None)


def test_two_runs_packs_are_read_together_and_swept_apart(tmp_path: Path) -> None:
    folder = tmp_path / "read"
    paths = make_corpus(tmp_path / "inbox", 4)
    first = kept(folder, paths[:2])
    carry.sweep(folder, {doc_id(key) for _, key, _ in first})  # a run's end: the next records go to a new pack
    second = kept(folder, paths[1:])  # paths[1] returned and sent again: a record in each pack
    assert len(list(folder.glob("*" + carry.PACK))) == 2
    for path, key, expected in first + second:
        assert carry.load(folder, key, path, MAX_CHARS) == expected

    # paths[0] collected: the first pack is still needed for paths[1], in flight in the second run.
    carry.sweep(folder, {doc_id(key) for _, key, _ in first[1:] + second})
    assert len(list(folder.glob("*" + carry.PACK))) == 2
    # paths[1] collected from the first run's batch; the second run's documents are still in flight.
    carry.sweep(folder, {doc_id(key) for _, key, _ in second[1:]})
    assert len(list(folder.glob("*" + carry.PACK))) == 1
    assert carry.load(folder, first[0][1], paths[0], MAX_CHARS) is None
    for path, key, expected in second:
        assert carry.load(folder, key, path, MAX_CHARS) == expected
    carry.sweep(folder, set())
    assert list(folder.iterdir()) == []


def test_a_sweep_removes_what_no_document_in_flight_needs(tmp_path: Path) -> None:
    folder = tmp_path / "read"
    made = kept(folder, make_corpus(tmp_path / "inbox", 2))
    (pack,) = folder.glob("*" + carry.PACK)
    strays = ["dgone.json", ".dkept.json.123.tmp", "123-dead.pack", "456-dead.index"]  # the old format, a
    for name in strays:  # temporary, a pack whose index is gone, an index whose pack is gone (names no one)
        (folder / name).write_text("{}")
    carry.sweep(folder, {doc_id(made[1][1]), "dother"})
    assert sorted(p.name for p in folder.iterdir()) == sorted([pack.name, pack.with_suffix(carry.INDEX).name])
    assert carry.load(folder, made[1][1], made[1][0], MAX_CHARS) == made[1][2]
    carry.sweep(tmp_path / "absent", set())  # no folder yet: nothing to do
