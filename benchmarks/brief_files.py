"""Writing a brief's files, as a nightly run does for each document (`nightly.run._write_brief`): CPU ms
per brief for the JSON, the Markdown, the HTML review page, and the three atomic writes.

The briefs are those of a Batch API night: each bundled test article (and each development-set article
when ../shared/data is there) with the draft the tests' fake model answers for it, grounded; plus the
hand-written seed, hostile and election briefs of tests/html. Each round renders and writes every brief
once (durable=False, as the Batch API collect writes them, each round into a new folder); each part of
each brief counts at its quickest round. CPU time is user + system: most of "write" is the kernel creating the files.

    .venv/bin/python benchmarks/brief_files.py [--rounds 5] [--base DIR]

--base DIR: also measure the code in DIR (e.g. a checkout of main), alternating rounds with this one in
two child processes, and print both side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARTS = ("json", "markdown", "html", "write", "total")


def _measure(root: Path, rounds: int) -> dict[str, float]:
    """Best-of-`rounds` CPU ms per brief of each part, for the code under `root`."""
    sys.path.insert(0, str(root))
    from summarizer.atomic import write_atomically
    from summarizer.render import to_html, to_markdown
    from summarizer.schema import Draft
    from tests.html.conftest import election_brief, hostile_brief, make_brief, seed_brief
    from tests.nightly.corpus import bundled_texts, dev_set_texts
    from tests.support.openai_server import draft_from_article

    # The development set as this script's checkout finds it: both versions measure the same briefs.
    texts = bundled_texts() + dev_set_texts(Path(__file__).resolve().parents[2] / "shared" / "data" / "gum-news" / "dep")
    briefs = [make_brief(text, Draft.model_validate(draft_from_article(text)), path=f"inbox/{name}.txt")
              for name, text in texts]
    briefs += [seed_brief(), hostile_brief(), election_brief()]
    # Each part of each brief counts at its quickest over the rounds: a busy machine only ever slows a
    # measurement down, so the minimum is the figure least disturbed by the others on it.
    best = {part: [float("inf")] * len(briefs) for part in PARTS}
    clock = time.process_time
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        # A first round, not counted, compiles the template and makes the imports the renderers make.
        for round_ in range(rounds + 1):
            folder = out / str(round_)  # new files each round, as a night writes them
            folder.mkdir()
            for i, brief in enumerate(briefs):
                began = clock()
                data = brief.model_dump_json(indent=2) + "\n"
                json_done = clock()
                markdown = to_markdown(brief)
                md_done = clock()
                html = to_html(brief)
                html_done = clock()
                write_atomically(folder / f"b{i}.json", data, durable=False)
                write_atomically(folder / f"b{i}.md", markdown, durable=False)
                write_atomically(folder / f"b{i}.html", html, durable=False)
                ended = clock()
                if not round_:
                    continue
                for part, seconds in (("json", json_done - began), ("markdown", md_done - json_done),
                                      ("html", html_done - md_done), ("write", ended - html_done),
                                      ("total", ended - began)):
                    best[part][i] = min(best[part][i], seconds)
    figures = {part: sum(times) * 1e3 / len(briefs) for part, times in best.items()}
    figures["briefs"] = len(briefs)
    return figures


def _child(root: Path, rounds: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, __file__, "--child", str(root), "--rounds", str(rounds)],
                          env=env, cwd=root, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--base", type=Path, help="a checkout of the code to compare with (e.g. main)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.child:
        print(json.dumps(_measure(ns.child, ns.rounds)))
        return
    here = Path(__file__).resolve().parent.parent
    if not ns.base:
        figures = _measure(here, ns.rounds)
        print(f"{figures['briefs']:.0f} briefs, best of {ns.rounds} rounds, CPU ms per brief")
        print("  " + "  ".join(f"{part} {figures[part]:.3f}" for part in PARTS))
        return
    # Alternate the two versions, one round at a time, so that a busy spell of the machine hits both.
    results: dict[str, list[dict[str, float]]] = {"base": [], "this": []}
    for _ in range(ns.rounds):
        results["base"].append(_child(ns.base.resolve(), 5))
        results["this"].append(_child(here, 5))
    best = {name: {part: min(r[part] for r in runs) for part in PARTS} for name, runs in results.items()}
    print(f"{results['this'][0]['briefs']:.0f} briefs, {ns.rounds} alternating runs of 5 rounds each, CPU ms per brief")
    print(f"  {'':6s}" + "".join(f"{part:>10s}" for part in PARTS))
    for name in ("base", "this"):
        print(f"  {name:6s}" + "".join(f"{best[name][part]:10.3f}" for part in PARTS))
    print(f"  {'ratio':6s}" + "".join(f"{best['this'][p] / best['base'][p]:10.2f}" for p in PARTS))


if __name__ == "__main__":
    main()
