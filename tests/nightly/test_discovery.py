"""Which files a nightly run picks up: folders, files, manifests, --since; and the names it gives briefs."""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from summarizer.errors import ConfigError, InputError
from summarizer.ledger import DocKey
from summarizer.nightly import discover, parse_since
from summarizer.nightly.plan import brief_id, slugify


def _touch(path: Path, text: str = "Some text.", age_days: float = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if age_days:
        stamp = time.time() - age_days * 86400
        os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "inbox"
    for name in ("b.txt", "a.md", "sub/c.html", "sub/deeper/d.htm", "sub/e.TXT", "report.pdf", "skip.png", "notes.json",
                 ".hidden.txt", ".cache/f.txt"):
        _touch(root / name)
    return root


def _names(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_folders_are_searched_recursively_for_documents_in_sorted_order(inbox: Path, tmp_path: Path) -> None:
    found = discover([str(inbox)], tmp_path / "out")
    assert _names(found.paths, inbox) == ["a.md", "b.txt", "report.pdf", "sub/c.html", "sub/e.TXT", "sub/deeper/d.htm"]
    # What is left out is counted by type, hidden files aside.
    assert found.skipped == {".png": 1, ".json": 1}


def test_output_folder_inside_the_input_is_skipped(inbox: Path) -> None:
    out = inbox / "nightly"
    _touch(out / "briefs" / "a-12345678.md")
    _touch(out / "digest.md")
    assert all("nightly" not in p.parts for p in discover([str(inbox)], out).paths)


def test_files_and_manifests_in_the_order_given_each_once(inbox: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "lists" / "tonight.txt"
    manifest.parent.mkdir()
    manifest.write_text(
        "# tonight's extra reading\n\n../inbox/sub/c.html\n" f"{inbox / 'b.txt'}\n../inbox/sub/deeper\n",
        encoding="utf-8",
    )
    found = discover([str(inbox / "a.md"), f"@{manifest}", str(inbox)], tmp_path / "out").paths
    assert _names(found, inbox) == ["a.md", "sub/c.html", "b.txt", "sub/deeper/d.htm", "report.pdf", "sub/e.TXT"]


def test_an_explicit_file_is_taken_whatever_its_suffix(inbox: Path, tmp_path: Path) -> None:
    assert _names(discover([str(inbox / "notes.json")], tmp_path / "out").paths, inbox) == ["notes.json"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["missing/folder"], "missing/folder: no such file or directory (from INPUT)"),
        (["@missing.txt"], "@missing.txt: no such manifest file"),
        ([], "no INPUT given"),
    ],
)
def test_missing_inputs_are_usage_errors(given: list[str], message: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        discover(given, tmp_path / "out")


def test_a_missing_manifest_entry_is_reported_with_its_line_and_the_others_still_found(tmp_path: Path) -> None:
    manifest = _touch(tmp_path / "list.txt", "a.txt\nnot-there.txt\n")
    _touch(tmp_path / "a.txt")
    found = discover([f"@{manifest}"], tmp_path / "out")
    assert found.paths == [tmp_path / "a.txt"]
    ((path, why),) = found.missing
    assert path == tmp_path / "not-there.txt"
    assert re.fullmatch(r"no such file or directory \(from @.*list.txt line 2\); fix or remove that line", why)


def test_since_keeps_recently_modified_files(tmp_path: Path) -> None:
    _touch(tmp_path / "in" / "old.txt", age_days=10)
    _touch(tmp_path / "in" / "new.txt", age_days=0.5)
    found = discover([str(tmp_path / "in")], tmp_path / "out", since=parse_since("2d")).paths
    assert [p.name for p in found] == ["new.txt"]


def test_parse_since_forms() -> None:
    now = datetime(2026, 11, 24, 6, 0).astimezone()
    assert parse_since("36h", now=now) == now - timedelta(hours=36)
    assert parse_since("7d", now=now) == now - timedelta(days=7)
    assert parse_since("90m", now=now) == now - timedelta(minutes=90)
    assert parse_since("2026-11-20", now=now) == datetime(2026, 11, 20).astimezone()
    assert parse_since("2026-11-20T18:30:00+00:00").utcoffset() == timedelta(0)
    with pytest.raises(ConfigError, match="--since 'yesterday': not a date"):
        parse_since("yesterday")


def test_slugs_and_brief_ids() -> None:
    assert slugify("Énorme Déjà-vu: Report (final)") == "enorme-deja-vu-report-final"
    assert slugify("日本語") == "document"
    assert len(slugify("x" * 200)) == 48
    key = DocKey("0123456789abcdef", "llm", "gpt-4o-mini", "brief-v1")
    assert re.fullmatch(r"big-story-01234567-llm-[0-9a-f]{6}", brief_id(Path("in/Big Story.html"), key))
    # Another model or prompt version of the same engine is another name: their briefs never overwrite.
    others = {brief_id(Path("in/Big Story.html"), replace(key, **change))
              for change in ({"model": "gpt-4o"}, {"prompt_version": "brief-v2"}, {"engine": "local"})}
    assert len(others | {brief_id(Path("in/Big Story.html"), key)}) == 4


def test_a_named_pipe_is_reported_not_read(tmp_path: Path) -> None:
    from summarizer.ledger import Ledger
    from summarizer.config import Settings
    from summarizer.nightly.plan import engine_identity, make_plan

    inbox = tmp_path / "in"
    _touch(inbox / "a.txt")
    os.mkfifo(inbox / "pipe.txt")
    paths = discover([str(inbox), str(inbox / "pipe.txt")], tmp_path / "out").paths
    assert [p.name for p in paths] == ["a.txt", "pipe.txt"]
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        plan = make_plan(paths, engine_identity(Settings(engine="llm", base_url="http://x/v1")), ledger, tmp_path / "out", force=False)
    assert [item.path.name for item in plan.items] == ["a.txt"]
    assert [(p.name, "not a regular file" in why) for p, why in plan.unreadable] == [("pipe.txt", True)]
