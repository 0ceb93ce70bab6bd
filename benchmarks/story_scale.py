"""Story memory at scale, printed in one run (targets from issue 14):

1. growth: 30 nights of 1,000 synthetic briefs indexed one night at a time into an empty output folder's
   ledger; the seconds each night takes as the index grows from 0 to 29,000 briefs;
2. the 31st night: 1,000 briefs added to the index of 30,000, in a fresh process, as a nightly run's
   story step does it (index the night, then compute every touched story's changes): wall and CPU
   seconds (target: under 5 s) and the process's peak memory (target: under 1 GB);
3. the digest of 1,000 briefs: `build_digest` over 1,000 real extractive briefs (the development-set
   articles, each retold by tests/stories/corpus.py, repeated with distinct ids up to 1,000): wall and
   CPU seconds (target: under 1 s).

Synthetic briefs (1, 2) are made without an engine: a story is 10 topic words, 4 actors and 2 units
drawn from large random pools; each brief of it draws a title and lead from the topic words plus common
news words, 3 of the actors, 3 claims and a figure per unit whose value drifts from night to night.
Each night 40% of the briefs start stories and 60% retell stories seen in the last five nights. On a
shared machine the wall time follows the load: CPU seconds are printed beside it, and the load average.

    .venv/bin/python benchmarks/story_scale.py [--nights 30] [--per-night 1000] [--skip-digest]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.ledger import LEDGER_NAME, Ledger  # noqa: E402
from summarizer.schema import Actor, ActorKind, Brief, Claim, Figure, Provenance, Source  # noqa: E402
from summarizer.stories.changes import story_memory  # noqa: E402
from summarizer.stories.index import NightBrief, index_night  # noqa: E402
from summarizer.stories.features import StoryFeatures  # noqa: E402
from summarizer.stories.store import StoryStore  # noqa: E402

FIRST_NIGHT = date(2026, 1, 1)
COMMON = ("said officials government people report week city country minister police president year "
          "according statement people killed support plan talks crisis").split()
UNITS = ("troops", "people", "dollars", "votes", "homes", "percent", "patients", "tonnes")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 9)))


class Generator:
    def __init__(self, seed: int = 14) -> None:
        self.rng = random.Random(seed)
        self.words = [_word(self.rng) for _ in range(30_000)]
        self.names = [f"{_word(self.rng).capitalize()} {_word(self.rng).capitalize()}" for _ in range(50_000)]
        self.stories: list[dict[str, object]] = []

    def _story(self, night: int) -> dict[str, object]:
        rng = self.rng
        story = {"topic": rng.sample(self.words, 10), "actors": rng.sample(self.names, 4),
                 "units": rng.sample(UNITS, 2), "base": [rng.randint(10, 50_000) for _ in range(2)], "night": night}
        self.stories.append(story)
        return story

    def brief(self, story: dict[str, object], night: int, i: int) -> NightBrief:
        rng = self.rng
        topic, actors = list(story["topic"]), list(story["actors"])  # type: ignore[call-overload]
        title = " ".join(rng.sample(topic, 5)).capitalize()
        summary = " ".join(rng.sample(topic, 8) + rng.sample(COMMON, 10)) + "."
        chosen = rng.sample(actors, 3)
        figures = []
        for unit, base in zip(story["units"], story["base"]):  # type: ignore[call-overload]
            value = float(round(base * (1 + 0.05 * (night - story["night"]) + 0.02 * rng.random())))  # type: ignore[operator]
            figures.append(Figure(text=f"{value:,.0f} {unit}", value=value, unit=unit, measures=unit, source=chosen[0]))
        claims = [Claim(statement=" ".join(rng.sample(topic, 6)), speaker=name) for name in chosen]
        text = f"{title}\n\n{summary}"
        digest = hashlib.sha256(f"{night}-{i}".encode()).hexdigest()
        brief = Brief(title=title, summary=summary, actors=[Actor(name=n, kind=ActorKind.person) for n in chosen],
                      claims=claims, figures=figures,
                      source=Source(sha256=digest, length=len(text), text=text), provenance=Provenance(engine="synthetic"))
        stem = f"n{night}-{i}-{digest[:8]}"
        return NightBrief(digest, f"inbox/night-{night}/{i}.txt", stem, f"briefs/{stem}.json", f"briefs/{stem}.md",
                          StoryFeatures.of(brief))

    def night(self, night: int, size: int) -> list[NightBrief]:
        recent = [s for s in self.stories if night - int(s["night"]) <= 5]  # type: ignore[call-overload]
        out = []
        for i in range(size):
            if not recent or self.rng.random() < 0.4:
                story = self._story(night)
            else:
                story = self.rng.choice(recent)
            out.append(self.brief(story, night, i))
        return out


def _night_date(night: int) -> str:
    return (FIRST_NIGHT + timedelta(days=night - 1)).isoformat()


def _index(out: Path, briefs: list[NightBrief], night: int) -> tuple[float, float, int]:
    """Index one night as the nightly story step does (index, then changes); wall and CPU seconds, stories touched."""
    run_id = f"run-{night:03d}"
    with Ledger(out / LEDGER_NAME) as ledger:
        ledger.begin_run(run_id, "synthetic", "m", "p")
    began, cpu = time.perf_counter(), time.process_time()
    with StoryStore(out / LEDGER_NAME) as store:
        placements = index_night(store, briefs, _night_date(night), run_id)
        memory = story_memory(store, placements, _night_date(night), run_id)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    with Ledger(out / LEDGER_NAME) as ledger:
        ledger.end_run(run_id, interrupted=False, documents=len(briefs), done=len(briefs), failed=0, pending=0,
                       total_tokens=0, report_path=None)
    return wall, cpu, len(memory.new) + len(memory.developing) + len(memory.quiet)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def last_night(out: Path, nights: int, per_night: int) -> None:
    """Child process: rebuild the generator's state (same seed) without indexing, then index night N+1."""
    gen = Generator()
    for night in range(1, nights + 1):
        gen.night(night, per_night)
    briefs = gen.night(nights + 1, per_night)
    before = _peak_mb()
    wall, cpu, touched = _index(out, briefs, nights + 1)
    print(f"{wall:.2f} {cpu:.2f} {touched} {_peak_mb():.0f} {before:.0f}")


def scale(nights: int, per_night: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        gen = Generator()
        print(f"1. growth: {nights} nights of {per_night:,} briefs, index size before each night -> seconds")
        print("   indexed before   wall s   cpu s   stories touched")
        for night in range(1, nights + 1):
            briefs = gen.night(night, per_night)
            wall, cpu, touched = _index(out, briefs, night)
            if night in (1, 2, 5, 10, 15, 20, 25, nights):
                print(f"   {(night - 1) * per_night:>14,}   {wall:6.2f}   {cpu:5.2f}   {touched:,}")
        with StoryStore(out / LEDGER_NAME) as store:
            stories = store.count_stories()
        size = (out / LEDGER_NAME).stat().st_size / 2**20
        print(f"   index: {nights * per_night:,} briefs in {stories:,} stories; ledger file {size:.0f} MB")
        child = subprocess.run(
            [sys.executable, __file__, "--last-night", str(out), "--nights", str(nights), "--per-night", str(per_night)],
            capture_output=True, text=True, check=True,
        )
        wall, cpu, touched, peak, base = child.stdout.split()
        print(f"2. night {nights + 1}: {per_night:,} briefs into {nights * per_night:,}: {float(wall):.2f} s wall, "
              f"{float(cpu):.2f} s CPU (target < 5 s); {touched} stories touched; peak memory {peak} MB "
              f"(target < 1,024 MB; {base} MB before the night, generating the briefs)")


def digest(count: int) -> None:
    from summarizer.api import make_settings
    from summarizer.batch import FileSource, summarize_many
    from summarizer.digest import BriefLink, build_digest
    from tests.stories.corpus import retell, story_texts

    texts = story_texts()
    sources = [FileSource(Path(f"{name}-v{v}.txt"), retell(name, text, v).encode()) for name, text in texts.items()
               for v in (0, 1)]
    began = time.perf_counter()
    briefs = summarize_many(sources, settings=make_settings(engine="extractive"))
    made = time.perf_counter() - began
    entries = []
    for i in range(count):
        brief = briefs[i % len(briefs)]
        entries.append((BriefLink(id=f"b{i:04d}", title=brief.title or "", json_path=f"briefs/b{i:04d}.json",
                                  md_path=f"briefs/b{i:04d}.md", engine="extractive"), brief))
    runs = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        result = build_digest(entries)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    best_wall, best_cpu = min(r[0] for r in runs), min(r[1] for r in runs)
    print(f"3. digest of {count:,} briefs ({len(briefs)} extractive briefs made in {made:.0f} s, repeated): "
          f"best of 3 {best_wall:.2f} s wall, {best_cpu:.2f} s CPU (target < 1 s); "
          f"{len(result.conflicts)} conflicts, {len(result.actors):,} actors")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nights", type=int, default=30)
    parser.add_argument("--per-night", type=int, default=1000)
    parser.add_argument("--skip-digest", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--last-night", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.last_night:
        last_night(args.last_night, args.nights, args.per_night)
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.skip_scale:
        scale(args.nights, args.per_night)
    if not args.skip_digest:
        digest(args.per_night)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
