"""The local engine's briefs against the extractive engine's, scored on development-set gold.

The model's answers are replayed from cassettes/recorded/ (Qwen2.5-Coder-1.5B-Instruct on llama.cpp, recorded
by `make cassettes`), so this runs offline in seconds. Articles: every recorded article that is also a
development-set article (../shared/data/gum-news), matched by its text. For each, three briefs:
- extractive: the rules alone;
- local, model writes the summary (the local engine's default): rules for the items, the model's summary;
- local, model writes the brief (`--model-writes brief`): the model's items, support-checked, then the
  cross-check's rules items added (found_by "rules").

Scores (as in extractive_quality.py, over a Brief instead of the engine's internals):
- actor recall/precision: gold named person/organisation entities one of whose mentions an actor's evidence
  or a mention of its name covers; actors that match a gold person/organisation/place mention;
- attribution recall (and with the right speaker): gold attribution EDUs a claim's evidence overlaps;
- claim precision: claims whose evidence overlaps a gold attribution or the sentence around one;
- figure recall/precision: numbers stated in the text that a figure's evidence covers; figures whose evidence
  covers a stated number of the same value;
- items the support checks dropped, per reason; items the cross-check added.

    .venv/bin/python benchmarks/llm_quality.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import vcr  # noqa: E402

from extractive_quality import ACCEPTED_TYPES, ACTOR_TYPES, Article, _coreferent_names, _sentence_around  # noqa: E402
from extractive_quality import load_articles  # noqa: E402
from summarizer import Brief, summarize  # noqa: E402
from summarizer.quantities import number_mentions, same_value  # noqa: E402

RECORDED = ROOT / "cassettes" / "recorded"
ARTICLES = {
    "seed": ROOT / "seeds" / "000_ee409ff46c783017.txt",
    **{p.stem: p for p in sorted((ROOT / "tests" / "local" / "articles").glob("*.txt"))},
}
# As recorded (tests/local/test_recorded.py): the server's free port rewritten, retries off.
REPLAY = {"engine": "local", "base_url": "http://127.0.0.1:8080/v1", "max_retries": 0, "max_reasks": 2}
MODEL_FILE = json.loads((RECORDED / "metadata.json").read_text(encoding="utf-8"))["models"]["qwen"]["model_file"]
_STOP = frozenset({"the", "a", "an", "of", "and", "s"})


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    added: Counter[str] = field(default_factory=Counter)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _spans(evidence: list) -> list[tuple[int, int]]:  # type: ignore[type-arg]
    return [(ev.start, ev.end) for ev in evidence if ev.start is not None and ev.end is not None]


def score(article: Article, brief: Brief, tally: Tally) -> None:
    text = article.text
    head_char = {t.index: (t.start, t.end) for t in article.tokens}
    actors = []
    for actor in brief.actors:
        spans = _spans(actor.evidence)
        for name in (actor.name, *actor.aliases):
            spans += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)] if name else []
        actors.append((actor, spans))

    def matches(spans: list[tuple[int, int]], gm) -> bool:  # type: ignore[no-untyped-def]
        words = [head_char[i] for i in (gm.names or [gm.head])]
        return any(_overlap(s, (gm.start, gm.end)) and any(_overlap(s, w) for w in words) for s in spans)

    entities: dict[str, list] = {}  # type: ignore[type-arg]
    for gm in article.mentions:
        entities.setdefault(gm.entity, []).append(gm)
    c = tally.counts
    for mentions in entities.values():
        named = [m for m in mentions if m.named]
        if named and named[0].etype in ACTOR_TYPES:
            c["gold_actors"] += 1
            c["found_actors"] += any(matches(spans, m) for _, spans in actors for m in mentions)
    accepted = [m for m in article.mentions if m.etype in ACCEPTED_TYPES]
    for _, spans in actors:
        c["actors"] += 1
        c["actors_right"] += any(matches(spans, m) for m in accepted)

    claim_spans = [_spans(claim.evidence) for claim in brief.claims]
    for gold in article.attributions:
        c["gold_attr"] += 1
        hits = [i for i, spans in enumerate(claim_spans) if any(_overlap(s, (gold.start, gold.end)) for s in spans)]
        c["found_attr"] += bool(hits)
        words = {w.lower() for w in re.findall(r"\w+", gold.source)} | _coreferent_names(
            article, gold.source_start, gold.source_end
        )
        speakers = [{w.lower() for w in re.findall(r"\w+", brief.claims[i].speaker)} - _STOP for i in hits]
        c["found_attr_speaker"] += any(s & words for s in speakers)
    for spans in claim_spans:
        c["claims"] += 1
        c["claims_right"] += any(
            _overlap(s, _sentence_around(text, g.start, g.end)) for s in spans for g in article.attributions
        )

    numbers = number_mentions(text)
    figure_spans = [(fig, _spans(fig.evidence)) for fig in brief.figures]
    for n in numbers:
        c["numbers"] += 1
        c["numbers_covered"] += any(_overlap((n.start, n.end), s) for _, spans in figure_spans for s in spans)
    for fig, spans in figure_spans:
        c["figures"] += 1
        c["figures_right"] += fig.value is not None and any(
            same_value(n.value, fig.value) and any(_overlap((n.start, n.end), s) for s in spans) for n in numbers
        )

    for item in brief.dropped:
        tally.dropped[item.code.value] += 1
    # With fill_gaps (the default) what the cross-check reports missed is what it added.
    tally.added["actors"] += len(brief.verification.missed_entities)
    tally.added["figures"] += len(brief.verification.missed_figures)


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "   n/a"


def replayed(path: Path, model_writes: str) -> Brief | None:
    cassette = RECORDED / f"qwen_{model_writes}_{path.stem}.yaml"
    if not cassette.exists():
        return None
    recorder = vcr.VCR(record_mode="none", match_on=["method", "path"])
    with recorder.use_cassette(str(cassette)):
        return summarize(path, model_writes=model_writes, model=MODEL_FILE, **REPLAY)  # type: ignore[arg-type]


def main() -> None:
    gold = {a.text: a for a in load_articles()}
    runs = {"extractive": Tally(), "local, model writes the summary": Tally(), "local, model writes the brief": Tally()}
    scored = []
    for name, path in ARTICLES.items():
        text = path.read_text(encoding="utf-8")
        article = gold.get(text)
        if article is None:
            continue
        scored.append(name)
        briefs = [summarize(path, engine="extractive"), replayed(path, "summary"), replayed(path, "brief")]
        for tally, brief in zip(runs.values(), briefs):
            if brief is not None:
                score(article, brief, tally)
    print(f"development articles with recorded Qwen answers: {', '.join(scored) or 'none'}")
    rows = [
        ("actor recall", "found_actors", "gold_actors"),
        ("actor precision", "actors_right", "actors"),
        ("attribution recall", "found_attr", "gold_attr"),
        ("attribution recall, right speaker", "found_attr_speaker", "gold_attr"),
        ("claim precision", "claims_right", "claims"),
        ("figure recall (stated numbers)", "numbers_covered", "numbers"),
        ("figure precision", "figures_right", "figures"),
    ]
    print(f"{'':36}" + "".join(f"{label:>34}" for label in runs))
    for label, hit, total in rows:
        print(f"{label:36}" + "".join(f"{_pct(t.counts[hit], t.counts[total]):>34}" for t in runs.values()))
    for label, tally in runs.items():
        dropped = ", ".join(f"{code} {n}" for code, n in tally.dropped.most_common()) or "none"
        added = ", ".join(f"{name} {n}" for name, n in tally.added.items() if n) or "none"
        print(f"{label}: dropped {dropped}; added by the cross-check: {added}")


if __name__ == "__main__":
    main()
