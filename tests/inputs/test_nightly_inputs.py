"""`summarizer nightly` with PDF, Word and URL inputs: good ones briefed, hostile ones failed with their reason,
an unchanged page reused by its content hash and a changed one redone."""

from __future__ import annotations

from pathlib import Path

from summarizer.nightly.discovery import discover
from summarizer.schema import Brief
from tests.nightly.conftest import latest_report, ledger_rows, run_nightly_cli
from tests.reliability.inputs import HTML_PAGE
from tests.support import documents
from tests.support.pages_server import pages_server


def test_discovery_takes_pdf_docx_and_urls(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a.pdf", "b.docx", "c.txt", "d.png"):
        (inbox / name).write_bytes(b"x")
    manifest = tmp_path / "links.txt"
    manifest.write_text("# links\nhttps://example.org/a\nhttps://example.org/a\nfile:///etc/passwd\n", encoding="utf-8")
    found = discover([str(inbox), f"@{manifest}", "https://example.org/b"], tmp_path / "out").paths
    assert found == [inbox / "a.pdf", inbox / "b.docx", inbox / "c.txt", "https://example.org/a",
                     "file:///etc/passwd", "https://example.org/b"]


def test_a_night_of_pdfs_word_files_and_links(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "report.pdf").write_bytes(documents.make_pdf())
    (inbox / "statement.docx").write_bytes(documents.make_docx(documents.PAGE_TWO))
    (inbox / "scanned.pdf").write_bytes(documents.make_scanned_pdf())
    (inbox / "locked.pdf").write_bytes(documents.make_pdf(password="s3cret"))
    (inbox / "empty.docx").write_bytes(b"")
    out = tmp_path / "out"
    with pages_server() as server:
        page = server.route("/story.html", body=HTML_PAGE)
        missing = server.url("/gone.html")
        manifest = tmp_path / "links.txt"
        manifest.write_text(f"{page}\n{missing}\n", encoding="utf-8")
        args = [str(inbox), f"@{manifest}", "--out", str(out), "--engine", "extractive", "--concurrency", "1"]

        first = run_nightly_cli(*args, "--allow-private-urls")
        assert first.code == 1, first.stderr  # some failed
        report = latest_report(out)
        status = {d["path"]: d["status"] for d in report["documents"]}
        failures = {f["path"]: f["error"] for f in report["failures"]}
        assert {p for p, s in status.items() if s == "done"} == {
            str(inbox / "report.pdf"), str(inbox / "statement.docx"), page
        }
        assert "no text layer" in failures[str(inbox / "scanned.pdf")]
        assert "encrypted PDF" in failures[str(inbox / "locked.pdf")]
        assert "is empty" in failures[str(inbox / "empty.docx")]
        assert "the server answered 404" in failures[missing]
        briefs = {Brief.model_validate_json(p.read_bytes()).source.url: p for p in (out / "briefs").glob("*.json")}
        assert page in briefs and briefs[page].name.startswith("story-")
        pdf_brief = next(
            Brief.model_validate_json(p.read_bytes()) for p in (out / "briefs").glob("report-*.json")
        )
        assert {ev.page for _, _, ev in pdf_brief.evidence_items()} == {1, 2}
        url_row = next(r for r in ledger_rows(out) if r["path"] == page)

        # The page did not change: fetched again, found by its content hash, not redone.
        second = run_nightly_cli(*args, "--allow-private-urls")
        assert second.code == 1
        statuses = {d["path"]: d["status"] for d in latest_report(out)["documents"]}
        assert statuses[page] == "reused" and statuses[str(inbox / "report.pdf")] == "reused"
        assert [s.path for s in server.seen].count("/story.html") == 2

        # The page changed: a new content hash, a new brief.
        server.route("/story.html", body=HTML_PAGE.replace("three cracks", "four cracks"))
        third = run_nightly_cli(*args, "--allow-private-urls")
        assert third.code == 1
        assert {d["path"]: d["status"] for d in latest_report(out)["documents"]}[page] == "done"
        rows = [r for r in ledger_rows(out) if r["path"] == page]
        assert len(rows) == 2 and all(r["status"] == "done" for r in rows)
        assert {r["content_hash"] for r in rows} - {url_row["content_hash"]}

        # Without --allow-private-urls a loopback link is a failed document with the reason, not a crash.
        refused = run_nightly_cli(f"@{manifest}", "--out", str(tmp_path / "out2"), "--engine", "extractive")
        assert refused.code == 1
        errors = {f["path"]: f["error"] for f in latest_report(tmp_path / "out2")["failures"]}
        assert "refused unless --allow-private-urls" in errors[page]
