"""Counted nouns in messages: "1 document", "2 documents"."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and the noun, singular for exactly one ("1 actor", "0 actors", "2 uncertainties")."""
    if count == 1:
        return f"{count:,} {word}"
    if many is None:
        many = word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
    return f"{count:,} {many}"
