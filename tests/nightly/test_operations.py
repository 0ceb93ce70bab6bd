"""Running nightly for months: quarantine, manifests with a bad line, skipped file types, clean failure
lines, and a digest kept per night."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from tests.nightly.conftest import assert_complete_set, latest_report, ledger_rows, run_nightly_cli
from tests.nightly.corpus import bundled_texts, make_corpus
from tests.support.openai_server import FakeOpenAI, faults


def test_a_document_that_keeps_failing_is_quarantined_until_retry_failed(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    make_corpus(inbox, 6)  # the sixth bundled article is the stampede story
    args = [str(inbox), "--out", str(out), "--engine", "llm", "--base-url", openai_server.base_url, "--model",
            "fake-model", "--max-retries", "0", "--quarantine-after", "2"]
    openai_server.when(lambda request: "stampede" in request.article.lower(), faults.server_error(503))

    for night in (1, 2):
        result = run_nightly_cli(*args)
        assert result.code == 1 and "1 failed" in result.stderr
    assert openai_server.count == 6 + 1

    # The third night leaves it alone: reported, not requested, and cron gets exit 0 again.
    third = run_nightly_cli(*args)
    assert third.code == 0, third.stderr
    assert openai_server.count == 7
    assert "5 already done, 1 quarantined, 0 to do" in third.stderr
    assert "0 failed, 1 quarantined" in third.stderr
    (line,) = [line for line in third.stderr.splitlines() if "quarantined after" in line]
    assert re.search(r"stampede-005\.\w+: quarantined after 2 failed attempts in a row, not retried "
                     r"\(--retry-failed tries again\): .*HTTP 503", line)
    report = latest_report(out)
    assert report["counts"]["quarantined"] == 1 and report["counts"]["failed"] == 0 and not report["failures"]
    (held,) = [d for d in report["documents"] if d["status"] == "quarantined"]
    assert held["failures"] == 2 and held["attempts"] == 2
    assert "quarantined after 2 failed attempts" in (out / "digest.md").read_text(encoding="utf-8")
    (row,) = [r for r in ledger_rows(out) if r["status"] == "failed"]
    assert row["attempts"] == 2 and row["failures"] == 2

    # Fixed upstream: --retry-failed brings it back.
    openai_server.always(faults.ok())
    retry = run_nightly_cli(*args, "--retry-failed")
    assert retry.code == 0, retry.stderr
    assert openai_server.count == 8
    assert_complete_set(out, 6)
    assert {r["failures"] for r in ledger_rows(out)} == {0}


def test_a_missing_manifest_line_skipped_types_failure_lines_and_the_nights_digest(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (name, text), *_ = bundled_texts()
    (inbox / f"{name}.txt").write_text(text, encoding="utf-8")
    (inbox / "blank.txt").write_text("  \n", encoding="utf-8")
    for other in ("scan.png", "memo.odt", "notes.PNG", "LICENSE", ".hidden"):
        (inbox / other).write_bytes(b"\x89PNG not read")
    manifest = tmp_path / "tonight.txt"
    manifest.write_text(f"{inbox / (name + '.txt')}\nextra/not-there.txt\n", encoding="utf-8")

    result = run_nightly_cli(str(inbox), f"@{manifest}", "--out", str(out), "--engine", "extractive")
    # The missing entry and the blank file fail alone; the article is summarized all the same.
    assert result.code == 1, result.stderr
    report = latest_report(out)
    assert report["counts"]["done"] == 1 and report["counts"]["failed"] == 2
    missing = tmp_path / "extra" / "not-there.txt"
    assert {(f["path"], f["error"].split(";")[0]) for f in report["failures"]} == {
        (str(missing), "no such file or directory (from @" + str(manifest) + " line 2)"),
        (str(inbox / "blank.txt"), "has no text (only whitespace)"),
    }
    # Each failure line names its path once.
    failure_lines = [line for line in result.stderr.splitlines() if "blank.txt" in line or "not-there" in line]
    assert len(failure_lines) == 3  # the blank file's progress line, then both in the summary
    for line in failure_lines:
        path = str(missing) if "not-there" in line else str(inbox / "blank.txt")
        assert line.count(path) == 1 and line.count("blank.txt") + line.count("not-there.txt") == 1, line
    # Files of types not read yet are counted by type, hidden ones not at all.
    assert report["counts"]["skipped"] == {".png": 2, ".odt": 1, "no suffix": 1}
    summary = result.stderr.strip().splitlines()[-1]
    assert "skipped by type: 2 .png, 1 .odt, 1 no suffix" in summary

    # Tonight's digest is also kept under its date, its links reaching the briefs from there.
    night = date.today().isoformat()
    for suffix in ("md", "json", "html"):
        assert (out / "digests" / f"{night}.{suffix}").is_file()
    kept = json.loads((out / "digests" / f"{night}.json").read_text(encoding="utf-8"))
    (link,) = kept["briefs"]
    assert (out / "digests" / link["json_path"]).resolve() == (out / latest_report(out)["documents"][0]["brief"]).resolve()
    kept_md = (out / "digests" / f"{night}.md").read_text(encoding="utf-8")
    targets = set(re.findall(r"\]\((\.\./briefs/[^)#]+)\)", kept_md))
    assert targets and all((out / "digests" / target).is_file() for target in targets)
    pages = set(re.findall(r'href="(\.\./briefs/[^"#]+)', (out / "digests" / f"{night}.html").read_text("utf-8")))
    assert pages and all((out / "digests" / page).is_file() for page in pages)

    # Another night's copy is left as it was.
    yesterday = out / "digests" / "2020-01-01.md"
    yesterday.write_text("yesterday's digest\n", encoding="utf-8")
    assert run_nightly_cli(str(inbox), "--out", str(out), "--engine", "extractive").code == 1
    assert yesterday.read_text(encoding="utf-8") == "yesterday's digest\n"
