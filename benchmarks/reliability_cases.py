"""Every fault and hostile input of the reliability suites, run once through `summarizer brief`: a table.

    .venv/bin/python benchmarks/reliability_cases.py

Faults run against the loopback OpenAI server (tests/support/openai_server.py) with --max-retries 2
--timeout 0.5; inputs run with the extractive engine. Each row: the case, the exit code, the requests
the server saw, the wall time, and the first line the user reads (stderr, or a summary of the brief).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from typer.testing import CliRunner  # noqa: E402

from summarizer.cli import app  # noqa: E402
from tests.reliability.inputs import CASES  # noqa: E402
from tests.support.openai_server import ALIASES, serve  # noqa: E402

SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"


def _run(args: list[str]) -> tuple[int, str, float]:
    started = time.monotonic()
    result = CliRunner().invoke(app, args)
    seconds = time.monotonic() - started
    if result.exit_code == 0:
        try:
            brief = json.loads(result.stdout)
            said = (f"brief: {len(brief['actors'])} actors, {len(brief['claims'])} claims, "
                    f"{len(brief['figures'])} figures, encoding {brief['source']['encoding']}")
        except ValueError:
            said = "brief (not JSON!)"
    else:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        said = lines[0] if len(lines) == 1 else f"{len(lines)} lines: " + " / ".join(lines)[:200]
    return result.exit_code, said, seconds


def _row(*cells: object) -> None:
    print("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")


def main() -> None:
    print("### Faults (`brief --engine llm --max-retries 2 --timeout 0.5`)\n")
    _row("fault", "exit", "requests", "seconds", "what the user reads")
    _row("---", "---", "---", "---", "---")
    with serve() as server:
        for name in ALIASES:
            server.always(name)
            server.reset_counts()
            code, said, seconds = _run(["brief", str(SEED), "--engine", "llm", "--base-url", server.base_url,
                                        "--max-retries", "2", "--timeout", "0.5", "--format", "json", "-q"])
            _row(name, code, server.count, f"{seconds:.2f}", said.replace(server.base_url, "http://127.0.0.1:PORT/v1"))
    print("\n### Inputs (`brief --engine extractive --format json`)\n")
    _row("input", "exit", "seconds", "what the user reads")
    _row("---", "---", "---", "---")
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            folder = Path(tmp) / case.name
            folder.mkdir()
            path = case.make(folder)
            code, said, seconds = _run(["brief", str(path), "--engine", "extractive", "--format", "json", "-q"])
            _row(case.name, code, f"{seconds:.2f}", said.replace(str(folder), "DIR"))
            if path.exists() and not path.is_dir():
                path.chmod(0o644)


if __name__ == "__main__":
    main()
