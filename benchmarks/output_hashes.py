"""Fingerprints of what summarizer writes, to show that a change of structure changed no output.

Hashes, with timestamps and run ids masked:
- the extractive brief (JSON, Markdown and review page) of the seed, of each development-set article
  (../shared/data/gum-news, text rebuilt as in extractive_quality.py) and of each test article;
- the llm brief replayed from each hand-written cassette that answers with a brief (without the
  cross-check, so that layouts from before it existed compare);
- a nightly run over the seed and the test articles: every brief file and the digest (JSON, Markdown, HTML).

    .venv/bin/python benchmarks/output_hashes.py [--save FILE] [--compare FILE]

Prints one line per output and a combined hash; --compare names every output whose hash differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import vcr  # noqa: E402

from extractive_quality import load_articles  # noqa: E402
from summarizer import Brief, summarize  # noqa: E402
from summarizer.render import to_html, to_markdown  # noqa: E402

SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
ARTICLES = sorted((ROOT / "tests" / "nightly" / "articles").glob("*.txt")) + sorted(
    (ROOT / "tests" / "local" / "articles").glob("*.txt")
)
# Each hand-written cassette that ends in a brief, with the options its tests use.
CASSETTES: dict[str, dict[str, object]] = {
    "good_seed": {},
    "quote_not_in_source": {},
    "reask_invalid_then_valid": {"max_reasks": 1},
    "chunked_seed": {"chunk_chars": 1500, "chunk_overlap": 300},
    "json_object_seed": {"structured_output": "json_object"},
}
# Timestamps (ISO, and as pages print them) and nightly run ids (20261129T101325.123Z) change on every run.
_VOLATILE = re.compile(r"\d{2}:\d{2}(?::\d{2})? UTC|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?|\d{8}T\d{6}\.\d{3}Z")


DUMP: Path | None = None


def _masked(text: str) -> str:
    return _VOLATILE.sub("<time>", text).replace(str(ROOT), "<root>")


def _hash(text: str, name: str = "") -> str:
    masked = _masked(text)
    if DUMP is not None and name:
        target = DUMP / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(masked, encoding="utf-8")
    return hashlib.sha256(masked.encode("utf-8")).hexdigest()[:16]


def _brief_hashes(name: str, brief: Brief) -> dict[str, str]:
    return {
        f"{name}.json": _hash(brief.model_dump_json(indent=2), f"{name}.json"),
        f"{name}.md": _hash(to_markdown(brief), f"{name}.md"),
        f"{name}.html": _hash(to_html(brief), f"{name}.html"),
    }


def extractive_outputs() -> dict[str, str]:
    out = _brief_hashes("seed", summarize(SEED, engine="extractive"))
    for article in load_articles():
        out |= _brief_hashes(f"dev/{article.name}", summarize(article.text, engine="extractive"))
    for path in ARTICLES:
        out |= _brief_hashes(f"articles/{path.stem}", summarize(path, engine="extractive"))
    return out


def llm_outputs() -> dict[str, str]:
    out: dict[str, str] = {}
    from summarizer.config import Settings

    recorder = vcr.VCR(record_mode="none", match_on=["method", "path"])
    if "cross_check" in Settings.model_fields:
        options_all: dict[str, object] = {"cross_check": False}
    else:
        options_all = {}
    for name, options in CASSETTES.items():
        cassette = ROOT / "cassettes" / "handwritten" / f"{name}.yaml"
        with recorder.use_cassette(str(cassette)):
            brief = summarize(
                SEED, engine="llm", base_url="http://llm.test/v1", model="gpt-4o-mini", retry_wait_base=0,
                **options, **options_all,
            )
        out |= _brief_hashes(f"llm/{name}", brief)
    return out


def nightly_outputs() -> dict[str, str]:
    from summarizer.config import Settings
    from summarizer.nightly import NightlyOptions, run_nightly

    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        for path in [SEED, *ARTICLES]:
            (inbox / path.name).write_bytes(path.read_bytes())
        folder = Path(tmp) / "out"
        run_nightly(NightlyOptions(inputs=[str(inbox)], out=folder, settings=Settings(engine="extractive")))
        for file in sorted(folder.rglob("*")):
            if file.suffix in {".json", ".md", ".html"} and file.parent.name != "runs":
                text = file.read_text(encoding="utf-8").replace(tmp, "<tmp>")
                name = f"nightly/{file.relative_to(folder)}"
                out[name] = _hash(text, name)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--save", type=Path, help="write the hashes to this JSON file")
    parser.add_argument("--compare", type=Path, help="compare with hashes saved by --save")
    parser.add_argument("--dump", type=Path, help="also write every output (masked) under this folder, to diff")
    args = parser.parse_args()
    global DUMP
    DUMP = args.dump
    hashes = extractive_outputs() | llm_outputs() | nightly_outputs()
    for name, digest in hashes.items():
        print(f"{digest}  {name}")
    combined = hashlib.sha256("".join(f"{k}={v}\n" for k, v in sorted(hashes.items())).encode()).hexdigest()
    print(f"{len(hashes)} outputs, combined sha256 {combined}")
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        changed = sorted(k for k in before.keys() | hashes.keys() if before.get(k) != hashes.get(k))
        for name in changed:
            print(f"differs: {name}  {before.get(name)} -> {hashes.get(name)}")
        print(f"compared with {args.compare}: {len(changed)} of {len(before)} outputs differ")
        sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
