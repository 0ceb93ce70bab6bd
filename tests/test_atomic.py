"""write_atomically with plain os calls: the folder, the permissions and the temporary names it uses."""

from __future__ import annotations

import os
import stat
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
