"""SIGKILL `summarizer nightly` at random points, re-run it: the final set is complete, every JSON file
is valid at every point, and the ledger agrees with the files."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer.schema import Brief
from tests.reliability.conftest import ROOT, SEED, run_cli
from tests.reliability.inputs import check_brief
from tests.support.openai_server import FakeOpenAI, faults

pytestmark = pytest.mark.slow

DOCS = 6
SEEDS = [11, 23, 41]


def _inbox(folder: Path) -> Path:
    folder.mkdir()
    (folder / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    towns = ["Leeds", "Lyon", "Porto", "Gdansk", "Turin", "Ghent", "Cork", "Split"]
    for i in range(DOCS - 1):
        (folder / f"story-{i}.txt").write_text(
            f"The council of {towns[i]} said {10 + i} homes were flooded on Friday.\n\n"
            f"Residents could return next week, officials said, but the damage was not yet confirmed.\n",
            encoding="utf-8",
        )
    return folder


def _start(inbox: Path, out: Path, server: FakeOpenAI) -> subprocess.Popen:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    return subprocess.Popen(
        [sys.executable, "-c", "from summarizer.cli import main; main()", "nightly", str(inbox), "--out", str(out),
         "--engine", "llm", "--base-url", server.base_url, "--concurrency", "2", "--timeout", "5", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT,
    )


def _kill_at_random_point(proc: subprocess.Popen, server: FakeOpenAI, rng: random.Random, remaining: int) -> str:
    """SIGKILL after a random number of this run's requests (0: during start-up or planning) plus a
    random extra delay, which lands anywhere in a request, a file write or a ledger update."""
    after = rng.randint(0, max(0, remaining - 1))
    extra = rng.uniform(0.0, 0.3)
    deadline = time.monotonic() + 60
    while server.count < after and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(extra)
    finished = proc.poll() is not None
    if not finished:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    return f"after {after} requests + {extra:.2f}s" + (" (already finished)" if finished else "")


def _all_json_valid(out: Path) -> None:
    for path in out.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.parent.name == "briefs":
            Brief.model_validate(data)


def _check_final(out: Path, inbox: Path) -> None:
    _all_json_valid(out)
    db = sqlite3.connect(out / "ledger.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT path, status, brief_json, brief_md FROM documents").fetchall()
        running = db.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0]
    finally:
        db.close()
    assert running == 0
    # Complete: every input has a done row.
    assert sorted(Path(p).name for p, s, _, _ in rows if s == "done") == sorted(p.name for p in inbox.iterdir())
    # The ledger agrees with the files: each done row's files exist and describe that document, and
    # no brief file exists without a done row.
    referenced = set()
    for path, status, json_rel, md_rel in rows:
        assert status == "done", (path, status)
        brief = json.loads((out / json_rel).read_text(encoding="utf-8"))
        check_brief(brief)
        assert brief["source"]["path"] == path
        assert (out / md_rel).read_text(encoding="utf-8").strip()
        html_rel = str(Path(json_rel).with_suffix(".html"))
        assert (out / html_rel).read_text(encoding="utf-8").rstrip().endswith("</html>")
        referenced |= {json_rel, md_rel, html_rel}
    on_disk = {str(p.relative_to(out)) for p in (out / "briefs").iterdir()}
    assert on_disk == referenced
    assert not [p for p in out.rglob("*.tmp")], "temporary files left behind"
    digest = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert len(json.dumps(digest)) > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_at_random_points_then_rerun(tmp_path: Path, openai_server: FakeOpenAI, seed: int) -> None:
    rng = random.Random(seed)
    inbox = _inbox(tmp_path / "inbox")
    out = tmp_path / "out"
    openai_server.always(faults.delay(0.15))
    kills = []
    for _ in range(2):  # two crashes in a row, then a clean run
        openai_server.reset_counts()
        remaining = DOCS - _done_count(out)
        proc = _start(inbox, out, openai_server)
        kills.append(_kill_at_random_point(proc, openai_server, rng, remaining))
        if out.exists():
            _all_json_valid(out)  # valid at the moment of the crash, not only after the re-run
    openai_server.reset_counts()
    done_before = _done_count(out)
    print(f"seed {seed}: killed {kills}; {done_before} of {DOCS} done before the clean run")
    run = run_cli("nightly", str(inbox), "--out", str(out), "--engine", "llm", "--base-url", openai_server.base_url,
                  "--concurrency", "2", "--timeout", "5", "--quiet")
    assert run.code == 0, (kills, run.stderr)
    _check_final(out, inbox)
    # Only what was not done was redone.
    assert openai_server.count == DOCS - done_before, kills


def _done_count(out: Path) -> int:
    if not (out / "ledger.sqlite3").exists():
        return 0
    db = sqlite3.connect(out / "ledger.sqlite3")
    try:
        return db.execute("SELECT count(*) FROM documents WHERE status = 'done'").fetchone()[0]
    except sqlite3.OperationalError:  # killed before the schema was created
        return 0
    finally:
        db.close()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find worker processes")
def test_sigkill_of_an_extractive_run_leaves_no_worker_behind(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path / "inbox")
    out = tmp_path / "out"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from summarizer.cli import main; main()", "nightly", str(inbox), "--out", str(out),
         "--engine", "extractive", "--concurrency", "2", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
            workers = _children(proc.pid)
            time.sleep(0.05)
        assert workers, "the extractive run started no worker process"
        time.sleep(random.Random(5).uniform(0.2, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # Workers notice their parent is gone (they poll once a second) and exit.
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        orphans = [w for w in workers if _alive(w)]
        assert not orphans, f"worker processes {orphans} outlived their killed parent"
    finally:
        # Clean up only our own processes: alive, and still running this command (not a reused pid).
        for pid in [proc.pid, *workers]:
            if _alive(pid) and b"summarizer.cli" in _cmdline(pid):
                os.kill(pid, signal.SIGKILL)
    if out.exists():
        _all_json_valid(out)
    run = run_cli("nightly", str(inbox), "--out", str(out), "--engine", "extractive", "--concurrency", "2", "--quiet")
    assert run.code == 0, run.stderr
    _check_final(out, inbox)
