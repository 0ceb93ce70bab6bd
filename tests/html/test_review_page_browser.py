"""The review page in headless Chromium: clicking, hovering, no network, no hostile script, screenshots.

Uses Debian's /usr/bin/chromium through Playwright (no browser download). Screenshots are written to
test-artifacts/html/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route, expect, sync_playwright

from summarizer.render.html import render_digest_html
from summarizer.render import to_html
from tests.html.conftest import digest_entries, hostile_brief, seed_brief, seed_digest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}

# Collects CSP violations from the first moment of the page, before any of its own script runs.
_WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Opened:
    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations")


def open_page(browser: Browser, path: Path, viewport: dict[str, int], html: str | None = None) -> Opened:
    """Open a page file (writing `html` to it first), recording every request, console line and dialog."""
    if html is not None:
        path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport=viewport, service_workers="block", reduced_motion="reduce")
    # Reduced motion (above) makes the page scroll instantly, so screenshots never catch it mid-scroll.
    page = context.new_page()
    opened = Opened(page, path.resolve().as_uri())
    folder = path.resolve().parent.as_uri() + "/"

    def route(r: Route) -> None:
        # Only the test's own page files may load (a digest links to briefs beside it); the rest is refused.
        if r.request.url.startswith(folder) and "?" not in r.request.url:
            r.continue_()
        else:
            opened.blocked.append(r.request.url)
            r.abort()

    def on_dialog(d: Dialog) -> None:
        opened.dialogs.append(d.message)
        d.dismiss()

    context.route("**/*", route)
    page.on("request", lambda r: opened.requests.append(r.url))
    page.on("console", lambda m: opened.console.append(m.text))
    page.on("dialog", on_dialog)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.add_init_script(_WATCH_CSP)
    page.goto(opened.url)
    return opened


@pytest.fixture
def seed_page(browser: Browser, artifacts: Path) -> Iterator[Opened]:
    opened = open_page(browser, artifacts / "seed.html", LAPTOP, to_html(seed_brief()))
    yield opened
    opened.page.context.close()


def _segments(page: Page, evidence_id: str):
    return page.locator(f'#source-text [data-ev~="{evidence_id}"]')


def test_clicking_an_actor_and_a_figure_scrolls_to_and_marks_their_spans(seed_page: Opened, artifacts: Path) -> None:
    page = seed_page.page
    zelensky = _segments(page, "actors-4-0")
    expect(zelensky).to_have_count(1)
    expect(zelensky).not_to_be_in_viewport()

    page.click('#item-actors-4 a.item-link')
    expect(zelensky).to_be_in_viewport()
    expect(zelensky).to_contain_class("f-actors mark current")
    expect(zelensky).to_have_text("Ukrainian President Volodymyr Zelensky")
    expect(page.locator("#item-actors-4")).to_contain_class("active")

    # "some 10,000 troops" lies inside a claim and is cited by the conflicting uncertainty as well.
    page.click('#item-figures-2 a.item-link')
    figure = _segments(page, "figures-2-0")
    expect(figure).to_be_in_viewport()
    expect(figure).to_have_text("some 10,000 troops")
    expect(figure).to_contain_class("f-figures conflict mark current")
    # The actor's marks were cleared: one thing is marked at a time.
    expect(zelensky).not_to_contain_class("mark")
    expect(zelensky).not_to_contain_class("current")
    expect(page.locator("#item-actors-4")).not_to_contain_class("active")
    page.screenshot(path=str(artifacts / "seed-laptop-figure.png"))
    assert seed_page.errors == []


def test_an_item_with_two_quotes_steps_through_them(seed_page: Opened) -> None:
    page = seed_page.page
    link = page.locator("#item-figures-1 a.item-link")
    first, second = _segments(page, "figures-1-0"), _segments(page, "figures-1-1")
    link.click()
    expect(first).to_be_in_viewport()
    expect(first).to_contain_class("f-summary f-claims f-figures f-uncertainties conflict multi mark current")
    expect(second).to_contain_class("f-figures conflict mark")
    expect(second).not_to_contain_class("current")
    link.click()
    expect(second).to_be_in_viewport()
    expect(second).to_contain_class("mark current")
    expect(first).to_contain_class("mark")
    expect(first).not_to_contain_class("current")
    assert page.evaluate("location.hash") == "#ev-figures-1-1"


def test_hovering_a_span_lists_every_item_citing_it(seed_page: Opened) -> None:
    page = seed_page.page
    tip = page.locator("#tip")
    expect(tip).to_be_hidden()
    _segments(page, "figures-1-0").hover()
    expect(tip).to_be_visible()
    expect(tip.locator(".tip-head")).to_have_text("Cited by 4 items")
    expect(tip.locator("button")).to_have_text(
        [
            re.compile(r"^SummarySouth Korea's intelligence service says North Korea has begun sending troops .*…$"),
            "ClaimNorth Korea has decided to send up to 12,000 troops to help Russia.",
            "Figureup to 12,000conflicting",
            "UncertaintyEstimates of the North Korean troops differ: up to 12,000 (NIS) against some 10,000 (Zelensky).conflicting",
        ]
    )
    # From the text back to the list: the claim's entry comes into view.
    tip.locator('button[data-show-item="claims-0"]').click()
    expect(page.locator("#item-claims-0")).to_be_in_viewport()
    expect(tip).to_be_hidden()


def test_legend_checkbox_turns_a_field_highlight_off(seed_page: Opened) -> None:
    page = seed_page.page
    actor = _segments(page, "actors-3-0")
    tinted = actor.evaluate("e => getComputedStyle(e).backgroundImage")
    assert "rgba(124, 58, 237" in tinted
    page.uncheck('input[data-toggle="actors"]')
    assert "rgba(124, 58, 237" not in actor.evaluate("e => getComputedStyle(e).backgroundImage")


def test_no_request_leaves_the_page_and_the_policy_allows_the_page_itself(seed_page: Opened) -> None:
    page = seed_page.page
    for link in page.locator("a.item-link[data-item]").all():
        link.click()
    _segments(page, "actors-0-0").hover()
    page.wait_for_timeout(200)
    assert seed_page.requests == [seed_page.url]
    assert seed_page.blocked == []
    # The inline style and script carry the hashes the policy names: nothing of the page's own is refused.
    assert seed_page.csp_violations() == []
    assert page.evaluate("getComputedStyle(document.querySelector('.legend')).position") == "sticky"


def test_hostile_article_is_shown_as_text_and_runs_nothing(browser: Browser, artifacts: Path) -> None:
    opened = open_page(browser, artifacts / "hostile.html", LAPTOP, to_html(hostile_brief()))
    page = opened.page
    try:
        text = page.locator("#source-text")
        expect(text).to_contain_text('<script>window.__pwned = "script"; alert("pwned")</script>')
        expect(text).to_contain_text("<img src=x onerror=")
        expect(page.locator("h1")).to_have_text("<script>window.__pwned='title'</script> Hostile")
        expect(page.locator("img")).to_have_count(0)
        expect(page.locator("script")).to_have_count(2)
        expect(page.locator("body")).to_be_visible()  # the article's <style>body{display:none}</style> is text
        # Give every handler a chance: hover each highlight and click each item.
        for seg in page.locator("#source-text .seg").all():
            seg.hover()
        for link in page.locator("a.item-link[data-item]").all():
            link.click()
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert opened.dialogs == []
        assert not [m for m in opened.console if "pwned" in m]
        assert opened.requests == [opened.url] and opened.blocked == []
        assert opened.errors == []
        page.screenshot(path=str(artifacts / "hostile-laptop.png"), full_page=True)
    finally:
        page.context.close()


def test_phone_width_is_one_readable_column(browser: Browser, artifacts: Path) -> None:
    opened = open_page(browser, artifacts / "seed.html", PHONE, to_html(seed_brief()))
    page = opened.page
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        items = page.locator(".items").bounding_box()
        source = page.locator(".source").bounding_box()
        assert items and source and source["y"] > items["y"] + items["height"] - 1  # stacked, not side by side
        assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.text')).fontSize)") >= 16
        page.screenshot(path=str(artifacts / "seed-phone-top.png"))
        page.click("#item-actors-6 a.item-link")
        hong = _segments(page, "actors-6-0")
        expect(hong).to_be_in_viewport()
        expect(hong).to_contain_class("f-actors mark current")
        # A tap on a highlight pins the list of items citing it (no hover on touch screens).
        hong.click()
        expect(page.locator("#tip")).to_be_visible()
        tip_box = page.locator("#tip").bounding_box()
        assert tip_box and tip_box["x"] >= 0 and tip_box["x"] + tip_box["width"] <= PHONE["width"]
        page.screenshot(path=str(artifacts / "seed-phone-actor.png"))
        assert opened.requests == [opened.url] and opened.errors == []
    finally:
        page.context.close()


def test_laptop_screenshot_shows_list_beside_text(browser: Browser, artifacts: Path) -> None:
    opened = open_page(browser, artifacts / "seed.html", LAPTOP, to_html(seed_brief()))
    page = opened.page
    try:
        items = page.locator(".items").bounding_box()
        source = page.locator(".source").bounding_box()
        assert items and source and source["x"] >= items["x"] + items["width"]  # side by side
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        page.screenshot(path=str(artifacts / "seed-laptop.png"))
        page.screenshot(path=str(artifacts / "seed-laptop-full.png"), full_page=True)
        assert (artifacts / "seed-laptop.png").stat().st_size > 10_000
    finally:
        page.context.close()


def test_digest_page_filters_and_opens_a_conflicting_figure_in_its_brief(browser: Browser, artifacts: Path) -> None:
    pages = {}
    for link, brief in digest_entries():
        (artifacts / f"{link.id}.html").write_text(to_html(brief), encoding="utf-8")
        pages[link.id] = f"{link.id}.html"
    opened = open_page(browser, artifacts / "digest.html", LAPTOP, render_digest_html(seed_digest(), pages))
    page = opened.page
    try:
        conflict = page.locator("#conflicts .conflict")
        expect(conflict).to_have_count(1)
        expect(conflict.locator(".value")).to_have_text(["up to 12,000", "some 10,000"])
        page.screenshot(path=str(artifacts / "digest-laptop.png"), full_page=True)

        page.fill("#filter", "eddie chu")
        visible = page.locator("[data-row]:visible")
        expect(visible).to_have_count(3)  # his story, his actor row, the figure of his votes
        expect(page.locator("#filter-count")).to_have_text("3 of 21 shown")
        page.fill("#filter", "")
        expect(page.locator("[data-row]:visible")).to_have_count(21)

        # A conflicting figure's quote opens the brief's review page at that span, marked.
        page.click('#conflicts a[href$="#ev-figures-2-0"]')
        page.wait_for_url("**/north-korea-troops-7e1384c0.html#ev-figures-2-0")
        span = page.locator('#source-text [data-ev~="figures-2-0"]')
        expect(span).to_be_in_viewport()
        expect(span).to_contain_class("conflict mark current")
        folder = artifacts.resolve().as_uri() + "/"
        assert opened.requests and all(url.startswith(folder) for url in opened.requests)
        assert opened.blocked == [] and opened.errors == [] and opened.csp_violations() == []
    finally:
        page.context.close()


def test_digest_page_at_phone_width(browser: Browser, artifacts: Path) -> None:
    opened = open_page(browser, artifacts / "digest-phone.html", PHONE, render_digest_html(seed_digest()))
    page = opened.page
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Table rows become cards: each cell labelled, nothing to scroll sideways for.
        unit = page.locator("#figures tbody tr").first.locator('td[data-label="unit"]')
        assert unit.evaluate("e => getComputedStyle(e, '::before').content") == '"unit "'
        page.screenshot(path=str(artifacts / "digest-phone.png"))
        assert opened.requests == [opened.url] and opened.errors == []
    finally:
        page.context.close()
