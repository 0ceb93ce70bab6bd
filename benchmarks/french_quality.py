"""Quality of the extractive engine on French news (tests/data/fr), printed as figures.

Each article NAME.txt has its gold in NAME.json (format in tests/data/fr/README.md). Scores, from the
full pipeline (`summarize`, extractive engine, so what the support checks drop is not counted):
- actors: recall (a gold actor is found when a brief actor's name or alias is one of its names) and
  precision (brief actors that are gold actors, leaving out the `optional_actors` an annotator may or may
  not list);
- figures: the share of gold figures that a brief figure covers (its evidence overlaps the figure as
  written) with the right value (and value_max);
- reported speech: the share of gold statements a claim's evidence holds, and of those the share with
  the right speaker.
The `heldout_*` articles were not used to write the rules: their scores are printed apart.

    .venv/bin/python benchmarks/french_quality.py [--per-doc] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import Brief, summarize  # noqa: E402

DATA = ROOT / "tests" / "data" / "fr"
_ARTICLES = ("le ", "la ", "les ", "l'", "un ", "une ", "des ", "du ")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'").lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = " ".join(text.split())
    for article in _ARTICLES:
        if text.startswith(article):
            text = text[len(article) :]
    return text.strip(" ,.")


@dataclass
class Score:
    actors_gold: int = 0
    actors_found: int = 0
    actors_given: int = 0
    actors_right: int = 0
    figures_gold: int = 0
    figures_right: int = 0
    speech_gold: int = 0
    speech_found: int = 0
    speech_speaker: int = 0

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        def ratio(a: int, b: int) -> str:
            return f"{a / b:.3f} ({a}/{b})" if b else "n/a"

        return (
            f"actor recall {ratio(self.actors_found, self.actors_gold)}  "
            f"precision {ratio(self.actors_right, self.actors_given)}\n"
            f"  figures with the right value {ratio(self.figures_right, self.figures_gold)}\n"
            f"  reported speech found {ratio(self.speech_found, self.speech_gold)}  "
            f"with the right speaker {ratio(self.speech_speaker, self.speech_found)}"
        )


def score(brief: Brief, gold: dict[str, Any], misses: list[str]) -> Score:
    s = Score()
    text = brief.source.text
    gold_names = [{fold(a["name"]), *(fold(x) for x in a["aliases"])} for a in gold["actors"]]
    optional = {fold(x) for x in gold.get("optional_actors", [])}
    brief_names = [{fold(a.name), *(fold(x) for x in a.aliases)} for a in brief.actors]
    s.actors_gold = len(gold_names)
    for names, actor in zip(gold_names, gold["actors"], strict=True):
        if any(names & b for b in brief_names):
            s.actors_found += 1
        else:
            misses.append(f"missed actor: {actor['name']}")
    for names, actor in zip(brief_names, brief.actors, strict=True):
        if any(names & g for g in gold_names):
            s.actors_given += 1
            s.actors_right += 1
        elif not names & optional:
            s.actors_given += 1
            misses.append(f"false actor: {actor.name} ({actor.kind.value})")

    for fig in gold["figures"]:
        s.figures_gold += 1
        start = text.find(fig["text"])
        end = start + len(fig["text"])
        ok = False
        for f in brief.figures:
            spans = [(e.start, e.end) for e in f.evidence if e.start is not None and e.end is not None]
            if not any(a < end and start < b for a, b in spans) or f.value is None:
                continue
            if abs(f.value - fig["value"]) <= 1e-6 * max(1.0, abs(fig["value"])) and (
                "value_max" not in fig or f.value_max is not None and abs(f.value_max - fig["value_max"]) < 1e-6 * fig["value_max"]
            ):
                ok = True
        s.figures_right += ok
        if not ok:
            given = [(f.text, f.value) for f in brief.figures if any(
                e.start is not None and e.end is not None and e.start < end and start < e.end for e in f.evidence)]
            misses.append(f"figure {fig['text']!r} = {fig['value']}: given {given}")

    for speech in gold["speech"]:
        s.speech_gold += 1
        start = text.find(speech["quote"])
        end = start + len(speech["quote"])
        speakers = {fold(speech["speaker"])}
        for names, actor in zip(gold_names, gold["actors"], strict=True):
            if fold(speech["speaker"]) in names:
                speakers |= names
        found = [c for c in brief.claims if any(
            e.start is not None and e.end is not None and e.start <= start and end <= e.end for e in c.evidence)]
        if found:
            s.speech_found += 1
            if any(fold(c.speaker) in speakers or any(fold(c.speaker).endswith(" " + x) for x in speakers) for c in found):
                s.speech_speaker += 1
            else:
                misses.append(f"speaker of {speech['quote']!r}: {speech['speaker']}, given {[c.speaker for c in found]}")
        else:
            misses.append(f"missed speech: {speech['speaker']}: {speech['quote']!r}")
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-doc", action="store_true", help="print each article's scores")
    parser.add_argument("--show-misses", action="store_true", help="list missed and false items")
    args = parser.parse_args()
    totals = {False: Score(), True: Score()}
    for gold_path in sorted(DATA.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        brief = summarize(path=DATA / gold["file"], engine="extractive")
        misses: list[str] = []
        s = score(brief, gold, misses)
        totals[bool(gold.get("held_out"))].add(s)
        if args.per_doc or args.show_misses:
            print(f"{gold['file']} (language {brief.source.language}, confidence {brief.source.language_confidence})")
            if args.per_doc:
                print("  " + s.line())
            if args.show_misses:
                for m in misses:
                    print(f"    {m}")
    print("French development set (the rules were written against it):")
    print("  " + totals[False].line())
    print("French held-out articles (not used to write the rules; see the README on how far they are held out):")
    print("  " + totals[True].line())


if __name__ == "__main__":
    main()
