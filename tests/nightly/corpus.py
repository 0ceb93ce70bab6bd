"""Distinct test documents made from a few real articles: as many as a test or a benchmark needs.

Variant k of an article is the article with a different closing line, so every file has its own
content hash (and its own brief). Every third file is Markdown and every fifth HTML, spread over
nested folders, so discovery, intake and the brief file names all get exercised.
"""

from __future__ import annotations

import html
from pathlib import Path

ARTICLES = Path(__file__).resolve().parent / "articles"
ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
DEV_SET = ROOT.parent / "shared" / "data" / "gum-news" / "dep"


def bundled_texts() -> list[tuple[str, str]]:
    """(name, text) of the articles shipped with the tests, plus the seed article."""
    texts = [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(ARTICLES.glob("*.txt"))]
    return [*texts, ("seed", SEED.read_text(encoding="utf-8"))]


def dev_set_texts(folder: Path = DEV_SET) -> list[tuple[str, str]]:
    """(name, text) of the 24 development-set articles when the shared folder is present, else []."""
    out = []
    for path in sorted(folder.glob("GUM_news_*.conllu")):
        paragraphs: list[str] = []
        current: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# newpar") and not line.startswith("# newpar_block"):
                if current:
                    paragraphs.append(" ".join(current))
                current = []
            elif line.startswith("# text = "):
                current.append(line.removeprefix("# text = "))
        if current:
            paragraphs.append(" ".join(current))
        out.append((path.stem.removeprefix("GUM_news_"), "\n\n".join(paragraphs) + "\n"))
    return out


def _as_markdown(text: str) -> str:
    title, _, body = text.partition("\n")
    return f"# {title}\n{body}"


def _as_html(text: str) -> str:
    title, _, body = text.strip().partition("\n")
    paragraphs = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n\n") if p.strip())
    return (
        f"<!doctype html>\n<html><head><title>{html.escape(title)}</title></head>\n"
        f"<body><nav>Home | World | Science</nav>\n<article><h1>{html.escape(title)}</h1>\n{paragraphs}\n"
        "</article><footer>Share this story</footer></body></html>\n"
    )


def make_corpus(folder: Path, count: int, texts: list[tuple[str, str]] | None = None, *, formats: bool = True) -> list[Path]:
    """Write `count` distinct documents under `folder`; their paths, in order."""
    texts = texts or bundled_texts()
    paths = []
    for i in range(count):
        name, text = texts[i % len(texts)]
        edition = i // len(texts)
        body = text.rstrip("\n") + f"\n\nThis is edition {edition + 1} of this report ({i}).\n"
        sub = folder / f"desk-{i % 3}"
        if formats and i % 5 == 4:
            path, content = sub / f"{name}-{i:03d}.html", _as_html(body)
        elif formats and i % 3 == 2:
            path, content = sub / f"{name}-{i:03d}.md", _as_markdown(body)
        else:
            path, content = sub / f"{name}-{i:03d}.txt", body
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths
