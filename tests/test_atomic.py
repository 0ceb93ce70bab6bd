"""write_atomically with plain os calls: the folder, the permissions, unnamed files and the temporary names it
uses."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer import atomic
from summarizer.atomic import TEMP_SUFFIX, remove_stale_temporaries, write_atomically


def test_the_folder_is_made_when_missing(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "brief.md"
    write_atomically(target, "# title\n")
    assert target.read_bytes() == b"# title\n"


def test_a_file_gets_the_permissions_open_gives_any_new_file(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomically(tmp_path / "brief.json", b"{}\n")
        (tmp_path / "plain").write_bytes(b"{}\n")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "brief.json").stat().st_mode)
    assert mode == stat.S_IMODE((tmp_path / "plain").stat().st_mode) == 0o640


def test_a_temporary_name_left_by_a_killed_writer_is_skipped_and_kept(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # A process of the same pid that was killed mid-write left the names this process would take next.
    monkeypatch.setattr(atomic, "_UNNAMED", 0)
    monkeypatch.setattr(atomic, "_COUNTER", iter(range(5)))
    leftovers = [tmp_path / f".page.html.{os.getpid()}.{n}{TEMP_SUFFIX}" for n in (0, 1)]
    for leftover in leftovers:
        leftover.write_text("half a page")
    write_atomically(tmp_path / "page.html", "<p>whole</p>")
    assert (tmp_path / "page.html").read_text() == "<p>whole</p>"
    assert all(leftover.read_text() == "half a page" for leftover in leftovers)
    assert remove_stale_temporaries(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_a_file_replaced_is_whole_and_no_temporary_is_left(tmp_path: Path) -> None:
    target = tmp_path / "brief.html"
    write_atomically(target, "old")
    write_atomically(target, ["é" * 70_000, b"<end>"], durable=False)
    assert target.read_text(encoding="utf-8") == "é" * 70_000 + "<end>"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.html"]


def test_a_folder_that_cannot_be_made_is_an_os_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OSError):
        write_atomically(tmp_path / "file" / "brief.md", "text")


def test_writers_racing_into_a_missing_folder_all_write(tmp_path: Path) -> None:
    # Threads (a night's brief writers) that find the folder missing while another is making it.
    import threading

    for attempt in range(20):
        folder = tmp_path / f"briefs-{attempt}"
        start = threading.Barrier(8)
        failed: list[BaseException] = []

        def write(i: int) -> None:
            start.wait()
            try:
                write_atomically(folder / f"{i}.json", "{}\n")
            except BaseException as exc:  # noqa: BLE001 - reported below
                failed.append(exc)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failed and len(list(folder.glob("*.json"))) == 8


unnamed = pytest.mark.skipif(not atomic._UNNAMED, reason="no unnamed files here (O_TMPFILE and /proc: Linux)")


@unnamed
def test_a_new_file_is_linked_in_place_whole_without_a_temporary_name(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def no_rename(*args: object) -> None:
        raise AssertionError("renamed")

    monkeypatch.setattr(os, "replace", no_rename)
    write_atomically(tmp_path / "brief.json", ["{", b'"a": 1', "}\n"])
    assert (tmp_path / "brief.json").read_bytes() == b'{"a": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["brief.json"]


@unnamed
def test_an_unnamed_file_that_fails_midway_leaves_nothing_and_the_old_file_stays(tmp_path: Path) -> None:
    def pieces() -> Iterator[str]:
        yield "new " * 30_000
        raise ValueError("the template broke")

    write_atomically(tmp_path / "page.html", "old")
    with pytest.raises(ValueError):
        write_atomically(tmp_path / "page.html", pieces())
    with pytest.raises(ValueError):
        write_atomically(tmp_path / "new.html", pieces())
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
    assert (tmp_path / "page.html").read_text() == "old"


@unnamed
def test_a_folder_without_unnamed_files_gets_temporary_names_and_is_not_asked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open, unnamed_tries = os.open, []

    def open_without_tmpfile(path: str, flags: int, *args: int) -> int:
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            unnamed_tries.append(path)
            raise OSError(errno.EOPNOTSUPP, "not supported")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_without_tmpfile)
    monkeypatch.setattr(atomic, "_NAMED_ONLY", set())
    for text in ("one", "two"):
        write_atomically(tmp_path / "brief.md", text)
    write_atomically(tmp_path / "other.md", "three")
    assert unnamed_tries == [str(tmp_path)]
    assert (tmp_path / "brief.md").read_text() == "two" and (tmp_path / "other.md").read_text() == "three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md", "other.md"]


@unnamed
def test_an_unnamed_file_that_cannot_be_linked_is_copied_into_place(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(source: str, target: str, fd: int) -> None:
        raise PermissionError(errno.EPERM, "no links here")

    monkeypatch.setattr(atomic, "_link", refused)
    write_atomically(tmp_path / "page.html", ["é" * 700_000, b"<end>"])
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == "é" * 700_000 + "<end>"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
