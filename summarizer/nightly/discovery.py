"""Which documents a nightly run reads: folders, files, http(s) URLs and `@manifest` lists of paths and URLs,
and `--since` (which only files have: a URL is fetched every run, and the ledger skips it if unchanged)."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from summarizer.errors import ConfigError, InputError
from summarizer.fetch import looks_like_url

DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx"})
# A document to read: a file, or a URL (kept as the string given).
Input = Path | str
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """A date (YYYY-MM-DD, local midnight), an ISO date-time, or a duration back from now (90m, 36h, 7d, 2w)."""
    now = now or datetime.now().astimezone()
    match = _DURATION.match(text)
    if match:
        amount, unit = float(match.group(1)), match.group(2).lower()
        return now - timedelta(**{_DURATION_UNITS[unit]: amount})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--since {text!r}: not a date (2026-11-24), a date-time (2026-11-24T18:00) or a duration (36h, 7d)"
        ) from None
    return when if when.tzinfo else when.astimezone()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass
class Discovery:
    """What the inputs name: the documents to read, and what a run reports instead of reading."""

    paths: list[Input] = field(default_factory=list)
    # Manifest entries that name nothing, with why: each fails alone, the run goes on.
    missing: list[tuple[Path, str]] = field(default_factory=list)
    # Files in the folders searched whose type is not read, by suffix (".pdf"; "no suffix").
    skipped: Counter[str] = field(default_factory=Counter)


def _walk(folder: Path, skip: Path, skipped: Counter[str]) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _inside((here / d).resolve(), skip))
        for name in sorted(files):
            if name.startswith("."):
                continue
            suffix = Path(name).suffix.lower()
            if suffix in DOCUMENT_SUFFIXES:
                yield here / name
            else:
                skipped[suffix or "no suffix"] += 1


def _manifest_entries(manifest: Path) -> Iterator[tuple[Input, str]]:
    if not manifest.is_file():
        raise InputError(f"@{manifest}: no such manifest file; give @FILE listing one path per line")
    try:
        lines = manifest.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"@{manifest}: cannot be read as a UTF-8 list of paths ({exc})") from None
    for number, line in enumerate(lines, 1):
        entry = line.strip()
        if entry and looks_like_url(entry):
            yield entry, f"@{manifest} line {number}"
        elif entry and not entry.startswith("#"):
            path = Path(entry).expanduser()
            # normpath: "lists/../inbox/a.txt" reads better as "inbox/a.txt" in logs and reports.
            full = path if path.is_absolute() else Path(os.path.normpath(manifest.parent / path))
            yield full, f"@{manifest} line {number}"


def discover(inputs: Sequence[str], out: Path, since: datetime | None = None) -> Discovery:
    """Every document the inputs name, in the order given (folders sorted), each once.

    A folder or file named on the command line that does not exist is a usage error (InputError); a
    manifest's entry that does not exist is reported in `missing`, and the other entries still run.
    """
    if not inputs:
        raise InputError("no INPUT given: name folders, files or @manifest files to summarize")
    skip = out.resolve()
    named: list[tuple[Input, str]] = []
    for given in inputs:
        if given.startswith("@"):
            named.extend(_manifest_entries(Path(given[1:]).expanduser()))
        elif looks_like_url(given):
            named.append((given.strip(), "INPUT"))
        else:
            named.append((Path(given).expanduser(), "INPUT"))
    found = Discovery()
    seen: set[Path] = set()
    urls: set[str] = set()
    for path, where in named:
        if isinstance(path, str):
            if path not in urls:
                urls.add(path)
                found.paths.append(path)
            continue
        if path.is_dir():
            candidates: Iterator[Path] | list[Path] = _walk(path, skip, found.skipped)
        elif path.exists():
            candidates = [path]  # a named pipe or device too: planning reports it instead of reading it
        elif where.startswith("@"):
            found.missing.append((path, f"no such file or directory (from {where}); fix or remove that line"))
            continue
        else:
            raise InputError(f"{path}: no such file or directory (from {where}); check the path")
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if since is not None and _mtime(candidate) < since.timestamp():
                continue
            found.paths.append(candidate)
    return found


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")  # unreadable: keep it, so reading it reports the problem
