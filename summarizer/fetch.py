"""Fetching a document from an http(s) URL, refusing what could turn summarizer against its own network.

Redirects are followed by hand, one hop at a time, so every hop's URL is checked (scheme, and every
address its host resolves to) before a connection is made. The body is read as a stream and abandoned
the moment it passes the size cap.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import Message
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin, urlsplit, urlunsplit
from typing import TYPE_CHECKING

from summarizer.errors import InputError

if TYPE_CHECKING:
    import httpx2

try:
    _VERSION = version("summarizer")
except PackageNotFoundError:  # run from a source tree that was never installed
    _VERSION = "dev"
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
USER_AGENT = f"summarizer/{_VERSION} (news brief generator; one request per document)"
MAX_REDIRECTS = 5
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ALLOWED_SCHEMES = ("http", "https")
# What a fetched body may be, by media type: the intake knows how to read each.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED_TYPES = HTML_TYPES | TEXT_TYPES | {PDF_TYPE, DOCX_TYPE}
_ACCEPT = "text/html, application/xhtml+xml, application/pdf, " + DOCX_TYPE + ", text/plain;q=0.8"


@dataclass(frozen=True)
class Fetched:
    """A fetched body and where it came from. Decoded into a Document where the brief is made."""

    url: str
    final_url: str
    fetched_at: datetime
    media_type: str
    charset: str | None
    data: bytes


def looks_like_url(value: str) -> bool:
    """A single-line string that starts with a scheme ('https://', 'file://', 'ftp://')."""
    return "\n" not in value and bool(_SCHEME.match(value.strip()))


def fetch(url: str, *, max_bytes: int, timeout: float, allow_private: bool = False) -> Fetched:
    """GET `url`, following at most MAX_REDIRECTS redirects, each hop checked. InputError with one line on
    any refusal or failure: a bad scheme, a private address, an HTTP error, a timeout (`timeout` bounds
    the whole fetch, redirects and a slow body included), too large a body, a media type we cannot read."""
    # The HTTP client the openai SDK already brings, imported when a URL is fetched (not by `import summarizer`).
    import httpx2 as httpx

    url = url.strip()
    current = url
    deadline = time.monotonic() + timeout
    try:
        with httpx.Client(
            # trust_env off: a proxy from the environment would make the address checks meaningless.
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                address = _check_target(current, url, allow_private)
                with _get(client, current, address) as response:
                    if not allow_private:
                        _check_peer(response, current, url)
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise InputError(f"{url}: redirect without a Location header from {current}")
                        current = urljoin(current, location)
                        continue
                    return _read(url, current, response, max_bytes, deadline, timeout)
    except httpx.TimeoutException:
        raise InputError(_timed_out(url, timeout)) from None
    except httpx.HTTPError as exc:
        raise InputError(f"{url}: cannot be fetched ({type(exc).__name__}: {exc or 'connection failed'})") from None
    raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects; give the final address")


@contextmanager
def _get(client: httpx2.Client, url: str, address: _Address | None) -> Iterator[httpx2.Response]:
    """GET `url` as a stream; with `address`, connect to that checked address and no other.

    Letting the client resolve the name again would open a gap: a name can answer a public address to the
    check and a private one to the connection (DNS rebinding). The request goes to the address itself,
    with the name in the Host header and, over TLS, in SNI, which is also what the certificate is checked
    against."""
    if address is None:
        with client.stream("GET", url) as response:
            yield response
        return
    parts = urlsplit(url)
    literal = f"[{address}]" if address.version == 6 else str(address)
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + literal + (f":{parts.port}" if parts.port else "")
    host = parts.netloc.rpartition("@")[2]
    request = client.build_request(
        "GET", urlunsplit(parts._replace(netloc=netloc)), headers={"Host": host},
        extensions={"sni_hostname": parts.hostname or ""},
    )
    response = client.send(request, stream=True)
    try:
        yield response
    finally:
        response.close()


def _timed_out(url: str, timeout: float) -> str:
    return f"{url}: not fetched within {timeout:g} s; try again later or raise --fetch-timeout"


def _check_target(current: str, url: str, allow_private: bool) -> _Address | None:
    """The address to connect to (None with allow_private: any), once every address of the host is public."""
    parts = urlsplit(current)
    scheme = parts.scheme.lower()
    via = "" if current == url else f" (redirected to {current})"
    if scheme not in _ALLOWED_SCHEMES:
        raise InputError(f"{url}{via}: only http and https URLs are fetched, not {scheme or 'this'}://")
    host = parts.hostname
    if not host:
        raise InputError(f"{url}{via}: has no host name")
    if allow_private:
        return None
    addresses = _addresses(host, parts.port or (443 if scheme == "https" else 80), url)
    for address in addresses:
        _refuse_private(address, host, url, via)
    return addresses[0]


def _public(address: _Address) -> bool:
    """Reachable on the public internet: not private, loopback, link-local, shared, reserved or multicast."""
    return address.is_global and not address.is_multicast


def _refuse_private(address: _Address, host: str, url: str, via: str) -> None:
    if not _public(address):
        raise InputError(
            f"{url}{via}: {host} is a private, loopback or link-local address ({address}); "
            "refused unless --allow-private-urls"
        )


def _check_peer(response: httpx2.Response, current: str, url: str) -> None:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer:
        via = "" if current == url else f" (redirected to {current})"
        _refuse_private(_unmapped(ipaddress.ip_address(str(peer[0]).split("%")[0])), urlsplit(current).hostname or "", url, via)


def _unmapped(address: _Address) -> _Address:
    # An IPv4 address written as IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _addresses(host: str, port: int, url: str) -> list[_Address]:
    """Every address `host` resolves to: one that is not public is enough to refuse the URL."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"{url}: host {host} cannot be resolved ({exc})") from None
    return [_unmapped(ipaddress.ip_address(str(info[4][0]).split("%")[0])) for info in infos]


def _read(url: str, final: str, response: httpx2.Response, max_bytes: int, deadline: float, timeout: float) -> Fetched:
    if not 200 <= response.status_code < 300:  # a 3xx here came without a Location to follow
        raise InputError(f"{url}: the server answered {response.status_code} {response.reason_phrase}".rstrip())
    media_type, charset = _content_type(response.headers.get("content-type", ""))
    if media_type not in ACCEPTED_TYPES:
        raise InputError(
            f"{url}: is {media_type or 'of no stated type'}; summarizer reads HTML pages, PDF, Word (.docx) "
            "and plain text"
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise InputError(_too_large(url, f"{int(declared):,} bytes", max_bytes))
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise InputError(_too_large(url, f"over {max_bytes:,} bytes", max_bytes))
        if time.monotonic() > deadline:  # a server that trickles bytes never trips the per-read timeout
            raise InputError(_timed_out(url, timeout))
    return Fetched(url, final, datetime.now(timezone.utc), media_type, charset, bytes(body))


def _too_large(url: str, size: str, max_bytes: int) -> str:
    return f"{url}: is {size}, over the download limit of {max_bytes:,} bytes; raise --max-chars to allow more"


def _content_type(header: str) -> tuple[str, str | None]:
    message = Message()
    message["content-type"] = header
    media_type = message.get_content_type() if header else ""
    charset = message.get_param("charset")
    return media_type.lower(), charset if isinstance(charset, str) else None
