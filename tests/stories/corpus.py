"""A multi-night corpus made from the development set: one event retold on several nights, plus unrelated stories.

Each development-set article (tests/nightly/articles and ../shared/data/gum-news when present, and the
seed) is one story. A *retelling* of it (`retell(text, version)`) is what another outlet or the next
day's report would print:

- other words: a table of synonyms swaps common news verbs and nouns, and the title is reworded;
- other selection and order: about a third of the sentences are left out (a different third per
  version; the first sentence of the first three paragraphs stays) and the paragraphs after the lead
  are rotated;
- other numbers: every number written with digits (not years) is scaled by (1 + version / 10);
- other sources and dates: weekday names move by `version` days, the dateline's date too, and the
  report is credited to another outlet.

`nights(...)` lays out a schedule of such documents over nights and returns the answer key (document
path -> story name) that grouping is scored against: pairwise precision and recall of "same story".
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tests.nightly.corpus import ROOT, bundled_texts, dev_set_texts

_SYNONYMS = {
    "said": "stated", "says": "states", "announced": "declared", "reported": "disclosed", "told": "informed",
    "killed": "left dead", "people": "individuals", "government": "administration", "officials": "authorities",
    "according to": "as reported by", "attack": "assault", "attacked": "targeted", "began": "started",
    "because": "since", "however": "nevertheless", "also": "additionally", "many": "numerous", "large": "big",
    "group": "team", "several": "a number of", "city": "town", "country": "nation", "help": "assist",
    "show": "indicate", "shows": "indicates", "new": "fresh", "week": "seven days", "about": "around",
    "more than": "over", "including": "among them", "after": "following", "before": "ahead of",
}
_OUTLETS = ("Reuters", "the Associated Press", "Agence France-Presse", "the BBC", "Al Jazeera", "Deutsche Welle")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_TITLE_FRAMES = ("{title}", "Update: {title}", "{title}, officials say", "Latest: {title}", "{title} (report)")
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w,]*\d)")
_DATELINE = re.compile(rf"^({'|'.join(_WEEKDAYS)}), ({'|'.join(_MONTHS)}) (\d{{1,2}}), (\d{{4}})$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")
DEV_SET_PLACES = (ROOT.parent / "shared" / "data" / "gum-news" / "dep", ROOT.parents[1] / "shared" / "data" / "gum-news" / "dep")


def _stable(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def _swap(text: str, version: int) -> str:
    for word, other in _SYNONYMS.items():
        if _stable(word, version) % 3 == 0:  # each version swaps its own two thirds of the table
            continue
        text = re.sub(rf"\b{word}\b", other, text)
        text = re.sub(rf"\b{word.capitalize()}\b", other.capitalize(), text)
    return text


def _numbers(text: str, version: int) -> str:
    def scale(match: re.Match[str]) -> str:
        digits = match.group(1).replace(",", "")
        value = int(digits)
        if 1800 <= value <= 2100 and len(digits) == 4:  # a year
            return match.group(0)
        changed = round(value * (1 + version / 10)) or value
        return f"{changed:,}" if "," in match.group(1) or changed >= 10_000 else str(changed)

    return _NUMBER.sub(scale, text)


def _dates(text: str, version: int) -> str:
    def dateline(match: re.Match[str]) -> str:
        try:
            day = date(int(match.group(4)), _MONTHS.index(match.group(2)) + 1, int(match.group(3))) + timedelta(version)
        except ValueError:  # a dateline that is no calendar date ("February 30"): left as written
            return match.group(0)
        return f"{_WEEKDAYS[day.weekday()]}, {_MONTHS[day.month - 1]} {day.day}, {day.year}"

    def weekday(match: re.Match[str]) -> str:
        return _WEEKDAYS[(_WEEKDAYS.index(match.group(1)) + version) % 7]

    lines = text.split("\n")
    return "\n".join(
        _DATELINE.sub(dateline, line) if _DATELINE.match(line) else re.sub(rf"\b({'|'.join(_WEEKDAYS)})\b", weekday, line)
        for line in lines
    )


def retell(name: str, text: str, version: int, *, disjoint: bool = False) -> str:
    """Version 0 is the article itself; a later version retells the same event (see the module docstring).

    `disjoint`: versions share no sentence at all (version v keeps sentences v, v+3, v+6, ... of each
    paragraph, version 0 included): two outlets writing their own sentences about one event."""
    if version == 0 and not disjoint:
        return text
    title, _, body = text.strip().partition("\n")
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    head = [p for p in paragraphs[:1] if _DATELINE.match(p)]
    rest = paragraphs[len(head) :]
    kept: list[str] = []
    for p, paragraph in enumerate(rest):
        sentences = _SENTENCE.split(paragraph)
        if disjoint:
            chosen = [s for i, s in enumerate(sentences) if (i + p) % 3 == version % 3]
        else:
            chosen = [s for i, s in enumerate(sentences) if p < 3 and i == 0 or _stable(name, version, p, i) % 3 != 0]
        if chosen:
            kept.append(" ".join(chosen))
    if len(kept) > 2:
        shift = 1 + version % (len(kept) - 1)
        kept = kept[:1] + kept[1:][shift - 1 :] + kept[1:][: shift - 1]
    outlet = _OUTLETS[_stable(name, version) % len(_OUTLETS)]
    kept.append(f"{outlet} contributed to this report.")
    frame = _TITLE_FRAMES[version % len(_TITLE_FRAMES)]
    new_title = frame.format(title=_numbers(_swap(title, version), version))
    story = "\n\n".join([*head, *kept])
    return f"{new_title}\n\n{_dates(_numbers(_swap(story, version), version), version)}\n"


def story_texts() -> dict[str, str]:
    """Story name -> article: the development set when present, the tests' articles and the seed otherwise too."""
    texts = dict(bundled_texts())
    for place in DEV_SET_PLACES:
        if place.is_dir():
            texts.update(dev_set_texts(place) or dev_set_texts())
            break
    return texts


@dataclass(frozen=True)
class Doc:
    night: int
    story: str
    version: int
    path: Path


def write_nights(folder: Path, schedule: list[list[tuple[str, int]]], texts: dict[str, str]) -> list[Doc]:
    """Write night k's (story, version) documents under folder/night-k/; every document, in order."""
    docs: list[Doc] = []
    for k, night in enumerate(schedule, start=1):
        inbox = folder / f"night-{k}"
        inbox.mkdir(parents=True, exist_ok=True)
        for story, version in night:
            path = inbox / f"{story}-v{version}.txt"
            path.write_text(retell(story, texts[story], version), encoding="utf-8")
            docs.append(Doc(k, story, version, path))
    return docs


def pairwise_scores(truth: dict[str, str], found: dict[str, str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of "same story" over every pair of documents (keys: document ids)."""
    ids = sorted(truth)
    tp = fp = fn = 0
    for a, b in itertools.combinations(ids, 2):
        same_truth = truth[a] == truth[b]
        same_found = found[a] == found[b]
        tp += same_truth and same_found
        fp += same_found and not same_truth
        fn += same_truth and not same_found
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
