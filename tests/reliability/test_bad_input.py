"""`summarizer brief` on hostile and awkward input: a valid brief, or exit 2 with one line naming the input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability.conftest import IS_ROOT, assert_one_line_failure, run_cli, run_process
from tests.reliability.inputs import ACCENTED, BY_NAME, CASES, Case, check_brief
from tests.support.openai_server import FakeOpenAI

REFUSED = [c for c in CASES if not c.usable]
USABLE = [c for c in CASES if c.usable]


def _skip_if_root(case: Case) -> None:
    if case.name == "unreadable" and IS_ROOT:
        pytest.skip("running as root: chmod 000 does not stop root from reading the file")


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_unusable_input_is_refused_in_one_line_naming_it(tmp_path: Path, case: Case) -> None:
    _skip_if_root(case)
    path = case.make(tmp_path)
    run = run_cli("brief", str(path), "--engine", "extractive")
    assert_one_line_failure(run, 2, names=str(path))
    assert case.words in run.stderr
    # Refusals happen before any engine work: they are quick even for 20 MB.
    assert run.seconds < 5


@pytest.mark.parametrize("engine", ["extractive", "llm"])
@pytest.mark.parametrize("case", USABLE, ids=[c.name for c in USABLE])
def test_usable_input_gives_a_valid_brief(tmp_path: Path, openai_server: FakeOpenAI, case: Case, engine: str) -> None:
    path = case.make(tmp_path)
    args = ["brief", str(path), "--engine", engine, "--format", "json", "--quiet"]
    if engine == "llm":
        args += ["--base-url", openai_server.base_url, "--timeout", "5", "--max-retries", "0"]
    run = run_cli(*args)
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    brief = json.loads(run.stdout)
    check_brief(brief)
    assert case.words in brief["source"]["text"]
    assert brief["claims"] or brief["actors"] or brief["figures"]


def test_html_page_keeps_the_article_and_drops_scripts(tmp_path: Path) -> None:
    path = BY_NAME["html-page"].make(tmp_path)
    run = run_cli("brief", str(path), "--engine", "extractive", "--format", "json", "--quiet")
    brief = json.loads(run.stdout)
    text = brief["source"]["text"]
    assert "SCRIPT_SHOULD_NOT_APPEAR" not in text and "color: red" not in text
    assert "Residents downstream" in text
    assert brief["title"] == "Dam inspection ordered after cracks found"


def test_max_chars_refuses_documents_over_the_limit_and_says_how_to_raise_it(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text(ACCENTED, encoding="utf-8")
    run = run_cli("brief", str(path), "--engine", "extractive", "--max-chars", "100")
    line = assert_one_line_failure(run, 2, names=str(path))
    assert "--max-chars" in line and "100" in line
    assert run_cli("brief", str(path), "--engine", "extractive", "--max-chars", str(len(ACCENTED)), "-q").code == 0


def test_long_document_is_chunked_for_the_llm(tmp_path: Path, openai_server: FakeOpenAI) -> None:
    paragraphs = [f"Report {i}: the council in Town{i} said {i * 10} homes were flooded on day {i}." for i in range(400)]
    path = tmp_path / "long.txt"
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    run = run_cli("brief", str(path), "--engine", "llm", "--base-url", openai_server.base_url, "--format", "json",
                  "-q", "--timeout", "5")
    assert run.code == 0, run.stderr
    brief = json.loads(run.stdout)
    check_brief(brief)
    assert brief["provenance"]["chunks"] == openai_server.count > 1
    # Evidence comes from every part of the document, not only the first chunk.
    assert max(ev["start"] for f in brief["figures"] for ev in f["evidence"]) > len(path.read_text()) // 2


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"), (b"\n \n", "only whitespace")],
    ids=["empty", "png", "blank"],
)
def test_stdin_refusals_name_stdin(data: bytes, words: str) -> None:
    run = run_cli("brief", "-", "--engine", "extractive", input=data)
    assert_one_line_failure(run, 2, names="<stdin>")
    assert words in run.stderr


def test_stdin_over_the_limit_is_refused_without_reading_it_all() -> None:
    data = ("Word " * 100_000).encode()
    run = run_cli("brief", "-", "--engine", "extractive", "--max-chars", "1000", input=data)
    line = assert_one_line_failure(run, 2, names="<stdin>")
    assert "--max-chars" in line and "is more than 16,001 characters, over the limit of 1,000" in line


def test_stdin_latin1_gives_a_brief() -> None:
    data = ACCENTED.replace("“", '"').replace("”", '"').replace("’", "'").replace("–", "-").encode("latin-1")
    run = run_cli("brief", "-", "--engine", "extractive", "--format", "json", "-q", input=data)
    assert run.code == 0, run.stderr
    assert "Besançon" in json.loads(run.stdout)["source"]["text"]


def test_as_a_real_process_a_refusal_has_no_traceback(tmp_path: Path) -> None:
    run = run_process("brief", str(tmp_path), "--engine", "extractive")
    assert_one_line_failure(run, 2, names=str(tmp_path))


@pytest.mark.parametrize("target", ["a-directory", "missing-folder/brief.json"])
def test_an_unusable_output_path_is_refused_in_one_line_naming_it(tmp_path: Path, target: str) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ACCENTED, encoding="utf-8")
    (tmp_path / "a-directory").mkdir()
    blocker = tmp_path / "missing-folder"
    blocker.write_text("a file where a folder is needed", encoding="utf-8")
    output = tmp_path / target
    run = run_cli("brief", str(article), "--engine", "extractive", "-q", "-o", str(output))
    line = assert_one_line_failure(run, 2, names=str(output))
    assert "unexpected error" not in line and ".tmp" not in line
    assert not [p for p in tmp_path.rglob(".*.tmp")]
