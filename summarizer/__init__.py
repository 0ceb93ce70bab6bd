"""summarizer: a document in, a structured brief out, every item tied to the exact words of the source.

    from summarizer import summarize
    brief = summarize("article.txt")
    print(brief.to_markdown())
"""

from summarizer.api import asummarize, summarize
from summarizer.batch import summarize_many
from summarizer.config import Settings
from summarizer.errors import ConfigError, EngineError, InputError, SummarizerError
from summarizer.schema import Brief

__all__ = [
    "Brief",
    "ConfigError",
    "EngineError",
    "InputError",
    "Settings",
    "SummarizerError",
    "asummarize",
    "summarize",
    "summarize_many",
]
__version__ = "0.1.0"
