"""The review page beyond the screen it was made on: dark mode, paper, a 390 px phone, a page shared with
others (no local path), and an extractive brief (no requests to count)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from summarizer import summarize
from summarizer.render import to_html
from summarizer.render.html import shown_path
from tests.html.conftest import seed_brief
from tests.html.test_review_page_browser import LAPTOP, PHONE, browser, open_page  # noqa: F401 - browser is a fixture

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"


def _luminance(css_colour: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css_colour)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.fixture(scope="module")
def extractive_brief_page() -> str:
    return to_html(summarize(SEED.resolve(), engine="extractive"))


def test_an_extractive_page_counts_no_requests(extractive_brief_page: str) -> None:
    assert "request" not in extractive_brief_page


def test_the_page_shows_no_absolute_local_path(extractive_brief_page: str) -> None:
    folder = str(SEED.resolve().parent)
    assert folder not in extractive_brief_page
    assert "000_ee409ff46c783017.txt" in extractive_brief_page


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/home/ana/news/story.txt", "story.txt"),
        ("C:\\Users\\ana\\story.txt", "story.txt"),
        ("~/news/story.md", "story.md"),
        ("inbox/story.txt", "inbox/story.txt"),
        (None, None),
    ],
)
def test_shown_path(path: str | None, shown: str | None) -> None:
    assert shown_path(path) == shown


@pytest.mark.browser
def test_dark_mode_follows_the_system(browser: Browser, artifacts: Path) -> None:  # noqa: F811
    opened = open_page(browser, artifacts / "seed-dark.html", LAPTOP, to_html(seed_brief()))
    page = opened.page
    try:
        light_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.emulate_media(color_scheme="dark")
        body_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        body_ink = page.evaluate("getComputedStyle(document.body).color")
        text_bg = page.evaluate("getComputedStyle(document.querySelector('.text')).backgroundColor")
        legend_bg = page.evaluate("getComputedStyle(document.querySelector('.legend')).backgroundColor")
        assert _luminance(light_bg) > 0.8
        assert _luminance(body_bg) < 0.15 and _luminance(text_bg) < 0.15 and _luminance(legend_bg) < 0.15
        assert _luminance(body_ink) > 0.7
        conflict = page.locator(".item.is-conflict").first
        assert _luminance(conflict.evaluate("e => getComputedStyle(e).backgroundColor")) < 0.2
        page.screenshot(path=str(artifacts / "seed-dark.png"))
    finally:
        page.context.close()


@pytest.mark.browser
def test_print_has_no_sidebar_or_switches_and_keeps_the_evidence(browser: Browser, artifacts: Path) -> None:  # noqa: F811
    opened = open_page(browser, artifacts / "seed-print.html", LAPTOP, to_html(seed_brief()))
    page = opened.page
    try:
        page.click('input[data-toggle="actors"]')  # switched off on screen...
        page.emulate_media(media="print")
        assert page.locator(".key input").first.is_hidden()
        items = page.locator(".items").bounding_box()
        source = page.locator(".source").bounding_box()
        assert items and source and source["y"] >= items["y"] + items["height"] - 1  # one column: no sidebar
        assert page.evaluate("getComputedStyle(document.querySelector('.items')).position") == "static"
        assert page.evaluate("getComputedStyle(document.querySelector('.legend')).position") == "static"
        # ...and still printed: every field's highlights are evidence on paper.
        actor = page.locator("#source-text .f-actors").first
        tint = actor.evaluate("e => getComputedStyle(e).backgroundImage").split("), linear-gradient(")[-1]
        assert not tint.startswith("rgba(0, 0, 0, 0)"), tint  # the actors' tint, not transparent
        assert page.locator("#item-figures-1 .quotes").is_visible()
        page.pdf(path=str(artifacts / "seed-print.pdf"))
        assert (artifacts / "seed-print.pdf").stat().st_size > 10_000
    finally:
        page.context.close()


@pytest.mark.browser
def test_legend_is_usable_at_390_px(browser: Browser, artifacts: Path) -> None:  # noqa: F811
    opened = open_page(browser, artifacts / "seed-phone-legend.html", PHONE, to_html(seed_brief()))
    page = opened.page
    try:
        keys = page.locator(".legend .key")
        assert keys.count() == 6
        for i in range(keys.count()):
            box = keys.nth(i).bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # none hidden off to the side
            assert box["height"] >= 40  # a finger's target
            assert keys.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth")  # its words not cut
        legend = page.locator(".legend").bounding_box()
        assert legend and legend["height"] <= 0.2 * PHONE["height"]
        page.locator('input[data-toggle="uncertainties"]').click()  # the last switch, reachable by a tap
        assert "hide-uncertainties" in page.evaluate("document.getElementById('source-text').className")
        page.screenshot(path=str(artifacts / "seed-phone-legend.png"))
    finally:
        page.context.close()
