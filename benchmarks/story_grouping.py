"""How well each way of deciding "same story" groups a multi-night corpus: pairwise precision, recall, F1.

The corpus is tests/stories/corpus.py's: every development-set article (and the seed) retold in versions
0..V-1 (other words, selection, numbers, dates and outlet), version v published on night v+1, so each
story is told once a night over V nights, among all the other stories. Every document is summarized
once with the extractive engine; then each method groups the same briefs night by night:

- tfidf@T:   summarizer.stories (hashed TF-IDF of title, lead, actor names and figure measures; a
             centroid per story, decayed by days since last seen) with join threshold T;
- minhash@J: datasketch MinHash LSH over word 3-shingles of the source text, Jaccard threshold J: a
             brief joins the story of the first indexed brief the LSH returns (near-duplicate finding);
- actors:    the digest's same-night rule (two actors shared, at least half of the smaller brief's)
             applied across nights: connected components over every pair of briefs.

With --disjoint the versions share no sentence at all (version v keeps every third sentence from the v-th):
the same event told by outlets that each wrote their own sentences.

    .venv/bin/python benchmarks/story_grouping.py [--versions 4] [--disjoint]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.api import make_settings  # noqa: E402
from summarizer.batch import FileSource, summarize_many  # noqa: E402
from summarizer.digest import BriefLink, _merge_actors, _story_groups  # noqa: E402
from summarizer.ledger import LEDGER_NAME, Ledger  # noqa: E402
from summarizer.schema import Brief  # noqa: E402
from summarizer.stories.index import NightBrief, index_night  # noqa: E402
from summarizer.stories.features import StoryFeatures  # noqa: E402
from summarizer.stories.store import StoryStore  # noqa: E402
from tests.stories.corpus import pairwise_scores, retell, story_texts  # noqa: E402

Doc = tuple[int, str, str, Brief]  # night, story, id, brief


def tfidf(docs: list[Doc], threshold: float) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        found: dict[str, str] = {}
        for night in sorted({d[0] for d in docs}):
            run_id = f"r{night}"
            with Ledger(out / LEDGER_NAME) as ledger:
                ledger.begin_run(run_id, "e", "m", "p")
            tonight = [NightBrief(i, f"in/{i}", i, f"{i}.json", f"{i}.md", StoryFeatures.of(b)) for n, _, i, b in docs if n == night]
            with StoryStore(out / LEDGER_NAME) as store:
                day = (date(2026, 11, 1) + timedelta(night - 1)).isoformat()
                placed = index_night(store, tonight, day, run_id, threshold=threshold)
                found.update({k: p.story_id for k, p in placed.items()})
            with Ledger(out / LEDGER_NAME) as ledger:
                ledger.end_run(run_id, interrupted=False, documents=0, done=0, failed=0, pending=0,
                               total_tokens=0, report_path=None)
        return found


def minhash(docs: list[Doc], threshold: float) -> dict[str, str]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    found: dict[str, str] = {}
    for _, _, doc_id, brief in sorted(docs, key=lambda d: d[0]):
        words = re.findall(r"\w+", brief.source.text.lower())
        sketch = MinHash(num_perm=128)
        for k in range(len(words) - 2):
            sketch.update(" ".join(words[k : k + 3]).encode())
        hits = sorted(lsh.query(sketch))
        found[doc_id] = found[hits[0]] if hits else doc_id
        lsh.insert(doc_id, sketch)
    return found


def actors(docs: list[Doc]) -> dict[str, str]:
    entries = [(BriefLink(id=i, title=i, json_path="", md_path="", engine="e"), b) for _, _, i, b in docs]
    groups = _story_groups(entries, _merge_actors(entries))
    return {entries[b][0].id: str(g) for g, group in enumerate(groups) for b in group}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=4)
    parser.add_argument("--disjoint", action="store_true",
                        help="Versions share no sentence (each keeps every third sentence, its own).")
    args = parser.parse_args()
    texts = story_texts()
    plan = [(v + 1, name, f"{name}-v{v}") for name in texts for v in range(args.versions)]
    sources = [FileSource(Path(doc_id + ".txt"), retell(name, texts[name], int(doc_id.rsplit("v", 1)[1]), disjoint=args.disjoint).encode())
               for _, name, doc_id in plan]
    began = time.perf_counter()
    briefs = summarize_many(sources, settings=make_settings(engine="extractive"))
    docs = [(night, name, doc_id, brief) for (night, name, doc_id), brief in zip(plan, briefs)]
    truth = {doc_id: name for _, name, doc_id, _ in docs}
    print(f"{len(docs)} documents, {len(texts)} stories, {args.versions} nights, "
          f"{'no sentence shared between versions' if args.disjoint else 'retellings sharing some sentences'} "
          f"(briefs made in {time.perf_counter() - began:.0f} s)")
    print("method        precision  recall     F1   seconds")
    methods = [(f"tfidf@{t}", lambda t=t: tfidf(docs, t)) for t in (0.15, 0.2, 0.25, 0.3, 0.4, 0.5)]
    methods += [(f"minhash@{j}", lambda j=j: minhash(docs, j)) for j in (0.1, 0.2, 0.3, 0.5)]
    methods += [("actors", lambda: actors(docs))]
    for label, method in methods:
        began = time.perf_counter()
        found = method()
        seconds = time.perf_counter() - began
        p, r, f1 = pairwise_scores(truth, found)
        print(f"{label:<12}  {p:9.3f}  {r:6.3f}  {f1:5.3f}  {seconds:7.2f}")


if __name__ == "__main__":
    main()
