"""The hand-written cassettes are labelled, listed, free of secrets and quote their article verbatim (the
seed's exactly; the French article's as a model copies it: some quotes with straight apostrophes or plain
spaces for no-break ones, which grounding must find as normalised, never fuzzy)."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from summarizer.grounding import Locator
from summarizer.schema import Alignment
from summarizer.text import clean
from tests.llm.conftest import HANDWRITTEN, ROOT, SEED

FRENCH_ARTICLE = ROOT / "tests" / "llm" / "articles" / "coree_du_nord_fr.txt"

FILES = sorted(HANDWRITTEN.glob("*.yaml"))
KEY_LIKE = re.compile(r"\b(?:sk-[A-Za-z0-9_-]{16,}|Bearer\s+\S{16,})|\bauthorization\b", re.IGNORECASE)
INVENTED = {
    "Kim Jong-un personally inspected the departing troops at the port of Wonsan",
    "Sergei Shoigu welcomed the North Korean contingent in Vladivostok",
    # fr_translated_evidence.yaml: the French article's words translated into English, on purpose.
    "NATO said it was not able to confirm this deployment",
    "North Korea has decided to send up to 12,000 soldiers to help Russia in its war against Ukraine",
    "“Russia wants a longer and wider war,” he added on Thursday",
    "up to 12,000 soldiers to help Russia",
    "it was not in a position to confirm this deployment",
}


def test_there_are_cassettes():
    assert len(FILES) >= 7


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_cassette_is_labelled_listed_and_clean(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# WRITTEN BY HAND, not recorded from any server.")
    assert "NOT evidence of the quality of any model" in text.split("interactions:")[0]
    readme = (ROOT / "cassettes" / "README.md").read_text(encoding="utf-8")
    assert f"| `{path.name}` | written by hand |" in readme
    assert not KEY_LIKE.search(text)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_answers_are_wire_format_and_quotes_are_verbatim(path):
    article = FRENCH_ARTICLE if path.name.startswith("fr_") else SEED
    seed = article.read_text(encoding="utf-8")
    locator = Locator(clean(seed))
    for interaction in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
        body = json.loads(interaction["response"]["body"]["string"])
        if interaction["response"]["status"]["code"] != 200:
            assert set(body["error"]) >= {"message", "type"}
            continue
        assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
        assert set(body["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}
        assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
        [choice] = body["choices"]
        assert choice["finish_reason"] == "stop"
        message = choice["message"]
        raw = message["tool_calls"][0]["function"]["arguments"] if message.get("tool_calls") else message["content"]
        answer = json.loads(raw)
        quotes = [q for item in _items(answer) for q in item.get("q", [])] + answer.get("sq", [])
        assert quotes
        copied = [q for q in quotes if q not in seed and locator.locate(q).alignment is Alignment.normalised]
        assert not copied or article == FRENCH_ARTICLE
        assert [q for q in quotes if q not in seed and q not in copied] == [q for q in quotes if q in INVENTED]


def _items(answer: dict) -> list[dict]:
    return [item for key in ("actors", "claims", "figures", "doubts") for item in answer.get(key, [])]
