"""A nightly run SIGKILLed after writing its briefs, before the story index is updated, is repaired by the next run.

The kill is real: a child process runs `summarizer nightly` with the story step replaced by
`os.kill(os.getpid(), SIGKILL)`, i.e. right after every brief is on disk and marked done. The re-run
over the same inbox must leave the same index (stories, members, centroids, frequencies) and tell the
same night as a run that was never interrupted.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.nightly.conftest import ROOT, clean_env
from tests.stories.conftest import index_state, night
from tests.stories.corpus import story_texts, write_nights

KILLED_BEFORE_INDEX = """
import os, signal, sys
import summarizer.nightly.run as run
run.index_run = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
from summarizer.cli import main
sys.argv = ["summarizer", "nightly", *sys.argv[1:]]
main()
"""


def _parts(out: Path) -> dict[str, list[str]]:
    memory = json.loads((out / "digest.json").read_text(encoding="utf-8"))["memory"]
    return {part: [e["story_id"] for e in memory[part]] for part in ("new", "developing", "quiet")}


def test_sigkill_between_briefs_and_index_is_repaired_by_the_next_run(tmp_path: Path) -> None:
    texts = story_texts()
    write_nights(tmp_path / "in", [[("crane", 0), ("seed", 0), ("election", 0)],
                                   [("crane", 1), ("seed", 1), ("taxes", 0)]], texts)
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert night(tmp_path / "in" / "night-1", whole, "2026-11-01").code == 0
    shutil.copytree(whole, killed)
    assert night(tmp_path / "in" / "night-2", whole, "2026-11-02").code == 0

    child = subprocess.run(
        [sys.executable, "-c", KILLED_BEFORE_INDEX, str(tmp_path / "in" / "night-2"), "--out", str(killed),
         "--engine", "extractive", "--night", "2026-11-02", "-q"],
        cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=600,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert len(list((killed / "briefs").glob("*.json"))) == 6  # the night's briefs were written
    assert index_state(killed) != index_state(whole)  # and the index does not know them yet

    result = night(tmp_path / "in" / "night-2", killed, "2026-11-02")
    assert result.code == 0, result.stderr
    assert index_state(killed) == index_state(whole)
    assert _parts(killed) == _parts(whole)
    assert len(_parts(whole)["developing"]) + len(_parts(whole)["quiet"]) == 2 and len(_parts(whole)["new"]) == 1
