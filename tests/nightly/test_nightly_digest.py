"""The nightly digest is made from what the run kept of each brief (`DoneBrief`), not from the Briefs: it must
be the digest of the brief files the run wrote or reused, and its files are written piece by piece."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import summarizer.nightly.run as nightly_run
from summarizer.digest import BriefLink, Digest, FailedDocument, build_digest
from summarizer.render import to_markdown
from summarizer.schema import Brief
from summarizer.stories.models import StoryMemory
from tests.nightly.conftest import latest_report, run_nightly_cli
from tests.nightly.test_nightly_llm import llm_args
from tests.support.openai_server import FakeOpenAI


def digest_of_the_brief_files(out: Path) -> Digest:
    """The digest rebuilt from the brief files named in digest.json, with its run id, time, failures and memory."""
    written = Digest.model_validate_json((out / "digest.json").read_bytes())
    entries = [(link, Brief.model_validate_json((out / link.json_path).read_bytes())) for link in written.briefs]
    rebuilt = build_digest(
        [(BriefLink(id=link.id, title=brief.title or link.id, json_path=link.json_path, md_path=link.md_path,
                    source_path=link.source_path, engine=brief.provenance.engine, model=brief.provenance.model),
          brief) for link, brief in entries],
        run_id=written.run_id, failed=[FailedDocument.model_validate(f.model_dump()) for f in written.failed],
        generated_at=written.generated_at,
        memory=StoryMemory.model_validate(written.memory.model_dump()) if written.memory else None,
    )
    return rebuilt.model_copy(update={"footer": written.footer})


def test_the_digest_is_that_of_the_briefs_written_and_reused(
    openai_server: FakeOpenAI, inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run_nightly_cli(*llm_args(openai_server, inbox, out, "--night", "2026-11-01")).code == 0
    first = (out / "digest.json").read_text(encoding="utf-8")
    assert digest_of_the_brief_files(out).model_dump_json(indent=2) + "\n" == first
    # The second night reuses 29 briefs (loaded back from their files), redoes an edited one, adds a new one.
    edited = sorted(inbox.rglob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOfficials later gave 4,000 as the toll.\n",
                      encoding="utf-8")
    (inbox / "late.txt").write_text(sorted(inbox.rglob("*.txt"))[1].read_text(encoding="utf-8") + "\nLate news.\n",
                                    encoding="utf-8")
    assert run_nightly_cli(*llm_args(openai_server, inbox, out, "--night", "2026-11-02")).code == 0
    counts = latest_report(out)["counts"]
    assert (counts["reused"], counts["done"]) == (29, 2)
    digest = digest_of_the_brief_files(out)
    assert digest.memory is not None and digest.memory.night == "2026-11-02"
    assert digest.model_dump_json(indent=2) + "\n" == (out / "digest.json").read_text(encoding="utf-8")
    assert to_markdown(digest) == (out / "digest.md").read_text(encoding="utf-8")
    # The night's copy: the same digest, its links one folder up.
    kept = json.loads((out / "digests" / "2026-11-02.json").read_text(encoding="utf-8"))
    assert [link["json_path"] for link in kept["briefs"]] == [f"../{link.json_path}" for link in digest.briefs]


def test_a_page_that_fails_midway_is_left_out_with_a_warning(
    openai_server: FakeOpenAI, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(digest: Digest, brief_pages: dict[str, str] | None = None, mark: str = ""):
        yield "<!doctype html><html>"
        raise ValueError("the template broke")

    monkeypatch.setattr(nightly_run, "digest_html_chunks", failing)
    out = tmp_path / "out"
    assert run_nightly_cli(*llm_args(openai_server, inbox, out)).code == 0
    warnings = latest_report(out)["warnings"]
    assert "digest.html not written: ValueError: the template broke" in warnings
    assert not (out / "digest.html").exists() and not list(out.glob(".*.tmp"))
    assert json.loads((out / "digest.json").read_text(encoding="utf-8"))["documents"] == 30
    assert (out / "digest.md").is_file()
