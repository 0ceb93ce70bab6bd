"""summarizer: a document in, a structured brief out, every item tied to the exact words of the source.

    from summarizer import summarize, to_markdown
    brief = summarize("article.txt")
    print(to_markdown(brief))
"""

from summarizer.api import Options, asummarize, summarize
from summarizer.batch import asummarize_many, summarize_many
from summarizer.config import Settings
from summarizer.errors import ConfigError, EngineError, InputError, SummarizerError
from summarizer.render import to_html, to_markdown
from summarizer.schema import Brief

__all__ = [
    "Brief",
    "ConfigError",
    "EngineError",
    "InputError",
    "Options",
    "Settings",
    "SummarizerError",
    "asummarize",
    "asummarize_many",
    "summarize",
    "summarize_many",
    "to_html",
    "to_markdown",
]
__version__ = "0.1.0"
