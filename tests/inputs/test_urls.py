"""URLs as input: fetched from a loopback server, every refusal one line and exit 2."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import InputError, summarize
from summarizer import fetch as fetch_module
from summarizer.cli import app
from summarizer.fetch import MAX_REDIRECTS, USER_AGENT, fetch
from tests.reliability.inputs import HTML_PAGE
from tests.support.documents import make_docx, make_pdf
from tests.support.pages_server import PagesServer, pages_server

runner = CliRunner()


@pytest.fixture
def server() -> Iterator[PagesServer]:
    with pages_server() as running:
        running.route("/article.html", body=HTML_PAGE)
        yield running


def _fetch(url: str, **kwargs: object) -> fetch_module.Fetched:
    options: dict = {"max_bytes": 1_000_000, "timeout": 5.0, "allow_private": True, **kwargs}
    return fetch(url, **options)


def _cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["brief", *args, "--engine", "extractive", "-q"])
    return result.exit_code, result.stdout, result.stderr


def _one_line_exit_2(args: list[str], expected: str) -> None:
    code, out, err = _cli(*args)
    assert code == 2, (code, err)
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert expected in err, err


# --- what is fetched ---------------------------------------------------------------------------------


def test_a_news_page_is_fetched_and_its_main_text_briefed(server: PagesServer) -> None:
    url = server.url("/article.html")
    brief = summarize(url, engine="extractive", allow_private_urls=True)
    assert brief.source.url == url and brief.source.final_url == url
    assert brief.source.fetched_at is not None and brief.source.media_type == "text/html"
    assert "Kariba" in brief.source.text and "SCRIPT_SHOULD_NOT_APPEAR" not in brief.source.text
    assert brief.title == "Dam inspection ordered after cracks found"
    assert brief.claims and brief.figures
    for _, _, ev in brief.evidence_items():
        assert ev.start is not None and ev.end is not None
        assert brief.source.text[ev.start : ev.end] == ev.quote
    assert server.seen[0].user_agent == USER_AGENT and USER_AGENT.startswith("summarizer/")


def test_redirects_are_followed_and_the_final_url_recorded(server: PagesServer) -> None:
    got = _fetch(server.url(f"/redirect/{MAX_REDIRECTS}"))
    assert got.url.endswith(f"/redirect/{MAX_REDIRECTS}") and got.final_url == server.url("/article.html")
    assert len(server.seen) == MAX_REDIRECTS + 1


def test_one_redirect_too_many_is_refused(server: PagesServer) -> None:
    with pytest.raises(InputError, match=f"more than {MAX_REDIRECTS} redirects"):
        _fetch(server.url(f"/redirect/{MAX_REDIRECTS + 1}"))
    assert len(server.seen) == MAX_REDIRECTS + 1  # the last Location was never requested


def test_a_pdf_and_a_word_file_are_read_as_their_content_type_says(server: PagesServer) -> None:
    # The names say nothing: the Content-Type decides.
    pdf_url = server.route("/download?id=1", body=make_pdf(), content_type="application/pdf")
    docx_url = server.route("/download?id=2", body=make_docx(), content_type=fetch_module.DOCX_TYPE)
    pdf_brief = summarize(pdf_url, engine="extractive", allow_private_urls=True)
    assert pdf_brief.source.media_type == "application/pdf" and pdf_brief.source.page_starts[0] == 0
    assert len(pdf_brief.source.page_starts) == 2
    docx_brief = summarize(docx_url, engine="extractive", allow_private_urls=True)
    assert "Kariba north wall | 3" in docx_brief.source.text


def test_the_declared_charset_decodes_the_page(server: PagesServer) -> None:
    page = HTML_PAGE.replace("Engineers", "Ingénieurs").encode("latin-1")
    url = server.route("/latin.html", body=page, content_type="text/html; charset=ISO-8859-1")
    doc = summarize(url, engine="extractive", allow_private_urls=True)
    assert "Ingénieurs" in doc.source.text and doc.source.encoding == "iso-8859-1"


# --- what is refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "word"), [(404, "404"), (500, "500")])
def test_http_errors_are_one_line_exit_2(server: PagesServer, status: int, word: str) -> None:
    url = server.route("/gone", status=status, body="nope", content_type="text/plain")
    _one_line_exit_2([url, "--allow-private-urls"], f"the server answered {word}")


def test_a_slow_server_times_out(server: PagesServer) -> None:
    url = server.route("/slow", body=HTML_PAGE, delay=3.0)
    _one_line_exit_2([url, "--allow-private-urls", "--fetch-timeout", "0.5"], "not fetched within 0.5 s")


def test_a_trickling_body_is_bounded_by_the_whole_fetch_timeout(server: PagesServer) -> None:
    # Each 1 KiB piece arrives well within the per-read timeout; the whole body would take 20 s.
    url = server.route("/drip", body=HTML_PAGE * 20, trickle=0.2)
    with pytest.raises(InputError, match="not fetched within 1 s"):
        _fetch(url, timeout=1.0)


def test_a_huge_body_is_abandoned_at_the_cap(server: PagesServer) -> None:
    url = server.route("/huge", body=b"<p>" + b"x" * 3_000_000 + b"</p>")
    with pytest.raises(InputError, match="over the download limit of 100,000 bytes"):
        _fetch(url, max_bytes=100_000)
    # Without a Content-Length to go by, the stream is cut once it passes the cap.
    server.routes["/huge"].length = False
    _one_line_exit_2([url, "--allow-private-urls", "--max-chars", "1000"], "over the download limit")


@pytest.mark.parametrize("content_type", ["application/json", "image/png", "application/octet-stream", None])
def test_a_content_type_we_cannot_read_is_refused(server: PagesServer, content_type: str | None) -> None:
    url = server.route("/data", body=b'{"a": 1}', content_type=content_type)
    _one_line_exit_2([url, "--allow-private-urls"], "summarizer reads HTML pages, PDF, Word (.docx) and plain text")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a.txt", "gopher://example.org/"])
def test_only_http_and_https(url: str) -> None:
    _one_line_exit_2([url], "only http and https URLs are fetched")
    with pytest.raises(InputError, match="only http and https"):
        summarize(url, engine="extractive")


def test_a_loopback_url_is_refused_by_default(server: PagesServer) -> None:
    url = server.url("/article.html")
    _one_line_exit_2([url], "private, loopback or link-local address (127.0.0.1); refused unless --allow-private-urls")
    with pytest.raises(InputError, match="refused unless --allow-private-urls"):
        summarize(url, engine="extractive")
    assert server.seen == []  # refused before any connection


@pytest.fixture
def loopback_counts_as_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 stands in for the public internet, so a redirect from it to a private address can be tested."""
    real = fetch_module._public
    monkeypatch.setattr(
        fetch_module, "_public", lambda address: address == ipaddress.ip_address("127.0.0.1") or real(address)
    )


@pytest.mark.parametrize(
    "target", ["http://10.0.0.1/admin", "http://127.0.0.2/", "http://[::1]/", "http://169.254.169.254/latest/meta-data/",
               "http://192.168.1.1/", "http://0.0.0.0/"],
)
def test_a_redirect_to_a_private_address_is_refused(
    server: PagesServer, loopback_counts_as_public: None, target: str
) -> None:
    url = server.redirect("/go", target)
    _one_line_exit_2([url], f"(redirected to {target}): ")
    assert [s.path for s in server.seen] == ["/go"]


def test_a_host_name_that_resolves_to_loopback_is_refused(server: PagesServer) -> None:
    _one_line_exit_2([f"http://localhost:{server.port}/article.html"], "localhost is a private, loopback or link-local")
    assert server.seen == []


def test_the_connection_goes_to_the_address_that_was_checked(
    server: PagesServer, loopback_counts_as_public: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 'news.test' resolves nowhere: only the checked address (here 127.0.0.1) can have been connected to,
    # so a name that answers differently the second time (DNS rebinding) cannot lead elsewhere.
    checked = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(fetch_module, "_addresses", lambda host, port, url: [checked])
    url = f"http://news.test:{server.port}/article.html"
    got = fetch(url, max_bytes=1_000_000, timeout=5.0)
    assert got.final_url == url and b"Kariba" in got.data
    assert server.seen[-1].host == f"news.test:{server.port}"


def test_a_redirect_to_another_scheme_is_refused(server: PagesServer) -> None:
    url = server.redirect("/go", "file:///etc/passwd")
    _one_line_exit_2([url, "--allow-private-urls"], "(redirected to file:///etc/passwd): only http and https")


def test_allow_private_urls_lets_the_redirect_through(server: PagesServer) -> None:
    url = server.redirect("/go", server.url("/article.html"))
    code, out, err = _cli(url, "--allow-private-urls", "--format", "json")
    assert code == 0, err
    source = json.loads(out)["source"]
    assert source["url"] == url and source["final_url"] == server.url("/article.html")


def test_nothing_is_written_when_the_fetch_fails(server: PagesServer, tmp_path: Path) -> None:
    target = tmp_path / "brief.json"
    code, _, _ = _cli(server.url("/missing"), "--allow-private-urls", "-o", str(target))
    assert code == 2 and not target.exists() and list(tmp_path.iterdir()) == []
