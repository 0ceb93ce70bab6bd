"""The digest page's links built in Python (once template macros) and its two copies rendered once: the
same bytes as before, for any quote, link and path."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.atomic import TEMP_SUFFIX, MarksMiscounted, write_copies_atomically
from summarizer.digest import BriefLink, Digest, DigestFigure, EvidenceRef, _constructed
from summarizer.nightly import run as nightly_run
from summarizer.render import to_markdown
from summarizer.render.html import LINK_MARK, _DigestLinks, _short, environment, render_digest_html
from summarizer.schema import Alignment, Qualifier
from tests.html.conftest import digest_entries, seed_digest

# The macros digest.html.j2 had before `_DigestLinks.quote` and `.brief_link` replaced them.
REFERENCE_MACROS = """{% macro quote(ref, position=0, with_title=True) -%}
{% set to = links.evidence(ref, position) %}
{% set where = ('chars %d–%d' % (ref.start, ref.end)) if ref.start is not none else 'not found in the source' %}
<blockquote class="ev"><span class="quote">{{ short(ref.quote) }}</span>
  <span class="where">{% if with_title %}{{ links.title(ref.brief) }} · {% endif %}{% if to %}<a href="{{ to }}">{{ where }}</a>{% else %}{{ where }}{% endif %}{% if ref.alignment.value not in ('exact', 'unaligned') %} · {{ ref.alignment.value }} match{% endif %}</span></blockquote>
{%- endmacro %}
{% macro brief_link(brief_id, text=None) -%}
{% set to = links.brief(brief_id) %}{% if to %}<a href="{{ to }}">{{ text or links.title(brief_id) }}</a>{% else %}{{ text or links.title(brief_id) }}{% endif %}
{%- endmacro %}
"""
_QUOTE_CALL = environment().from_string(REFERENCE_MACROS + "{{ quote(ref, position, with_title) }}")
_LINK_CALL = environment().from_string(REFERENCE_MACROS + "{{ brief_link(brief_id, text) }}")

_TEXT = st.lists(st.sampled_from(list("ab é<>&\"'/#:\\\n.") + ["javascript:", "%20", "../"]), max_size=12).map("".join)
_PATH = st.one_of(st.none(), _TEXT, st.sampled_from(["briefs/x.md", "/etc/passwd", "a b.html", "https://h/x"]))
_IDS = ["a", 'b"<c', "d e"]


@st.composite
def _links(draw: st.DrawFn) -> _DigestLinks:
    briefs = [BriefLink(id=i, title=draw(_TEXT), json_path=draw(_TEXT), md_path=draw(_TEXT), engine="llm")
              for i in _IDS[:2]]
    pages = {i: p for i in _IDS if (p := draw(_PATH)) is not None}
    return _DigestLinks(Digest(briefs=briefs), pages)


_REF = st.builds(
    EvidenceRef,
    brief=st.sampled_from(_IDS),
    field=st.sampled_from(["figures", "actors", "summary"]),
    index=st.integers(0, 5),
    quote=_TEXT,
    start=st.one_of(st.none(), st.integers(0, 9999)),
    end=st.integers(0, 9999),
    alignment=st.sampled_from(list(Alignment)),
)


@settings(max_examples=300, deadline=None)
@given(links=_links(), ref=_REF, position=st.integers(0, 3), with_title=st.booleans())
def test_a_quote_is_the_markup_the_macro_made(links: _DigestLinks, ref: EvidenceRef, position: int,
                                              with_title: bool) -> None:
    expected = _QUOTE_CALL.render(links=links, short=_short, ref=ref, position=position, with_title=with_title)
    assert links.quote(ref, position, with_title=with_title) == expected


@settings(max_examples=300, deadline=None)
@given(links=_links(), brief_id=st.sampled_from(_IDS), text=st.one_of(st.none(), _TEXT))
def test_a_brief_link_is_the_markup_the_macro_made(links: _DigestLinks, brief_id: str, text: str | None) -> None:
    assert links.brief_link(brief_id, text) == _LINK_CALL.render(links=links, brief_id=brief_id, text=text)


def _pages_as_rendered_alone(digest: Digest, pages: dict[str, str], prefix: str) -> str:
    alone = nightly_run._linked_from(digest, prefix)
    return render_digest_html(alone, {k: prefix + v for k, v in pages.items()})


def _digest(md_path: str | None = None) -> Digest:
    # A title may hold anything, also what marks the links (it reaches the page escaped).
    digest = seed_digest()
    first = digest.briefs[0].model_copy(update={"title": f"{LINK_MARK} @@"})
    if md_path is not None:
        first = first.model_copy(update={"md_path": md_path})
    return digest.model_copy(update={"briefs": [first, *digest.briefs[1:]]})


# An absolute path links nowhere, but "../" before it would make a link: its copies are rendered apart.
@pytest.mark.parametrize("digest", [_digest(), _digest("/abs/x.md")], ids=["paths of a run", "an absolute path"])
@pytest.mark.parametrize("with_pages", [True, False])
def test_each_copy_of_the_page_is_the_page_rendered_for_its_folder(tmp_path: Path, digest: Digest,
                                                                   with_pages: bool) -> None:
    pages = {link.id: f"briefs/{link.id}.html" for link, _ in digest_entries()} if with_pages else {}
    warnings: list[str] = []
    nightly_run._write_pages(tmp_path, {"digest": "", "digests/night": "../"}, digest, pages, warnings)
    assert not warnings
    top, night = (tmp_path / "digest.html").read_text("utf-8"), (tmp_path / "digests/night.html").read_text("utf-8")
    assert top == _pages_as_rendered_alone(digest, pages, "")
    assert night == _pages_as_rendered_alone(digest, pages, "../")
    assert 'href="../' in night and 'href="../' not in top


# The JSON is made once for both copies unless a brief's own words hold the mark (then once per copy).
@pytest.mark.parametrize("digest", [seed_digest(), _digest()], ids=["plain titles", "the mark in a title"])
def test_each_copy_of_the_json_and_markdown_is_the_digest_linked_from_its_folder(tmp_path: Path,
                                                                                 digest: Digest) -> None:
    nightly_run._write_digest_files(tmp_path, {"digest": "", "digests/night": "../"}, digest)
    for stem, prefix in (("digest", ""), ("digests/night", "../")):
        alone = nightly_run._linked_from(digest, prefix)
        assert (tmp_path / f"{stem}.json").read_text("utf-8") == alone.model_dump_json(indent=2) + "\n"
        assert (tmp_path / f"{stem}.md").read_text("utf-8") == to_markdown(alone)
    assert '"json_path": "../' in (tmp_path / "digests/night.json").read_text("utf-8")


def test_copies_are_written_only_with_as_many_marks_as_were_put(tmp_path: Path) -> None:
    copies = {tmp_path / "a.txt": "", tmp_path / "sub" / "b.txt": "../"}
    write_copies_atomically(iter(["x<@>y", "<@>"]), "<@>", copies, marks=2)
    with pytest.raises(MarksMiscounted):
        write_copies_atomically(iter(["new<@>", "<@> <@>"]), "<@>", copies, marks=2)
    assert (tmp_path / "a.txt").read_text("utf-8") == "xy"
    assert (tmp_path / "sub" / "b.txt").read_text("utf-8") == "x../y../"
    assert not list(tmp_path.rglob(f"*{TEMP_SUFFIX}"))


def test_copies_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    copies = {tmp_path / "a.txt": "", tmp_path / "sub" / "b.txt": "../"}
    write_copies_atomically(iter(["x<@>y", "é", "<@>"]), "<@>", copies)
    assert (tmp_path / "a.txt").read_text("utf-8") == "xyé"
    assert (tmp_path / "sub" / "b.txt").read_text("utf-8") == "x../yé../"

    def broken():
        yield "new text"
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        write_copies_atomically(broken(), "<@>", copies)
    assert (tmp_path / "a.txt").read_text("utf-8") == "xyé"
    assert not list(tmp_path.rglob(f"*{TEMP_SUFFIX}"))


@pytest.mark.parametrize("model", [EvidenceRef, DigestFigure])
def test_a_model_constructed_fast_is_the_model_model_construct_makes(model: type[EvidenceRef | DigestFigure]) -> None:
    # What `_constructed` leaves out of model_construct must not exist on these models.
    assert not model.__private_attributes__ and not model.__pydantic_post_init__
    ref = {"brief": "a", "field": "figures", "index": 1, "quote": "q", "start": 3, "end": 4,
           "alignment": Alignment.exact}
    values = ref if model is EvidenceRef else {
        "brief": "a", "index": 1, "text": "12", "value": 12.0, "value_max": None, "unit": None, "measures": "m",
        "qualifier": Qualifier.approximately, "date": None, "source": "s", "evidence": EvidenceRef(**ref),
    }
    assert list(values) == list(model.model_fields)
    fields = set(model.model_fields)
    fast, slow = _constructed(model, fields, dict(values)), model.model_construct(fields, **values)
    assert fast == slow and fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump_json(indent=2) == slow.model_dump_json(indent=2)
