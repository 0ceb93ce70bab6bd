"""The command line: parses arguments, calls the API, writes the result. No pipeline logic lives here."""

from __future__ import annotations

import atexit
import errno
import gc
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import date
from contextlib import AbstractContextManager, nullcontext
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import typer.completion
from typer.core import TyperGroup

from summarizer.atomic import write_atomically
from summarizer.config import Settings
from summarizer.engines import registry
from summarizer.errors import ConfigError, SummarizerError
from summarizer.words import plural

T = TypeVar("T")

class OutputError(SummarizerError):
    """stdout could not take the output: a closed pipe (`| head`), a full disk, /dev/full."""

    exit_code = 1


class _OneLineErrors(TyperGroup):
    """Usage errors (a bad option value, a missing argument) as one line on stderr and exit 2, like every
    other error, instead of click's boxed usage panel."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from typer._click import exceptions as click

        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except click.NoArgsIsHelpError as exc:
            exc.show()
            code = exc.exit_code
        except click.ClickException as exc:
            hint = f"; see {exc.ctx.command_path} --help" if isinstance(exc, click.UsageError) and exc.ctx else ""
            message = " ".join(exc.format_message().split()).replace("Value error, ", "")
            say(message.rstrip(".") + hint)
            code = exc.exit_code
        except typer.Abort:
            say("interrupted")
            code = EXIT_INTERRUPTED
        if not standalone_mode:
            return code
        sys.exit(code)


app = typer.Typer(
    name="summarizer",
    cls=_OneLineErrors,
    help="Turn a news article into a structured, grounded brief: actors, claims, figures, uncertainties.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Click's plain help: it wraps long option names and help at any width instead of cutting them with "…".
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)

EXIT_INTERRUPTED = 130


def _show_version(value: bool) -> None:
    if value:
        from summarizer import __version__

        print(f"summarizer {__version__}")
        raise typer.Exit()


def _completion(action: Callable[..., Any]) -> Callable[..., Any]:
    """A completion option that takes the shell by name (`--show-completion zsh`): typer's own guesses the
    shell and reads "zsh" as the command."""

    def callback(ctx: typer.Context, param: Any, value: str | None) -> None:
        if value is None or ctx.resilient_parsing:
            return
        shells = ("bash", "zsh", "fish", "powershell", "pwsh")
        if value not in shells:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(shells)}")
        typer.completion.completion_init()
        action(ctx, param, value)

    return callback


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_show_version, help="Print the version and exit.")
    ] = False,
    show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion",
            metavar="SHELL",
            is_eager=True,
            expose_value=False,
            callback=_completion(typer.completion.show_callback),
            help="Print the completion script for SHELL: bash, zsh, fish or powershell.",
        ),
    ] = None,
    install_completion: Annotated[
        str | None,
        typer.Option(
            "--install-completion",
            metavar="SHELL",
            is_eager=True,
            expose_value=False,
            callback=_completion(typer.completion.install_callback),
            help="Install completion for SHELL: bash, zsh, fish or powershell.",
        ),
    ] = None,
) -> None:
    """Turn a news article into a structured, grounded brief: actors, claims, figures, uncertainties."""


class OutputFormat(str, Enum):
    md = "md"
    json = "json"
    html = "html"
    csv = "csv"
    xlsx = "xlsx"


# -o FILE's suffix names the format when --format is not given; any other suffix is refused.
_SUFFIX_FORMATS = {
    "md": OutputFormat.md,
    "markdown": OutputFormat.md,
    "json": OutputFormat.json,
    "html": OutputFormat.html,
    "htm": OutputFormat.html,
    "csv": OutputFormat.csv,
    "xlsx": OutputFormat.xlsx,
}


# The engines --help lists and --engine accepts come from the registry (no engine module is imported).
EngineChoice = Enum("EngineChoice", {name: name for name in registry.choices()}, type=str)  # type: ignore[misc]


class StructuredOutputChoice(str, Enum):
    tools = "tools"
    json_schema = "json_schema"
    json_object = "json_object"


# Options shared by `brief` and `nightly`, declared once.
EngineOpt = Annotated[
    EngineChoice, typer.Option(help="auto uses the LLM engine when an endpoint is configured, else extractive.")
]
ModelOpt = Annotated[str | None, typer.Option(help="Model name [env: SUMMARIZER_MODEL].")]
BaseUrlOpt = Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint [env: OPENAI_BASE_URL].")]
ApiKeyOpt = Annotated[
    str | None, typer.Option(help="API key [env: OPENAI_API_KEY]; prefer the environment variable.")
]
KeepUnalignedOpt = Annotated[
    bool, typer.Option(help="Keep items whose evidence is not in the source, flagged 'unaligned'.")
]
MaxRetriesOpt = Annotated[int | None, typer.Option(help="Transport retries per request (default 3).")]
TimeoutOpt = Annotated[float | None, typer.Option(help="Seconds per HTTP request (default 120).")]
StructuredOutputOpt = Annotated[
    StructuredOutputChoice | None,
    typer.Option(help="How the schema reaches the server: tools (default), json_schema or json_object."),
]
MaxTokensOpt = Annotated[int | None, typer.Option(min=1, help="Cap on tokens the model writes per request.")]
GgufOpt = Annotated[Path | None, typer.Option(help="GGUF model file for --engine local.")]
DebugOpt = Annotated[bool, typer.Option(help="Log requests (never the key) and show tracebacks.")]
class ModelWritesChoice(str, Enum):
    brief = "brief"
    summary = "summary"


ModelWritesOpt = Annotated[
    ModelWritesChoice | None,
    typer.Option(help="What an LLM writes: the whole brief, or only the summary while rules find the items "
                 "(default: brief for llm, summary for local)."),
]
CrossCheckOpt = Annotated[
    bool,
    typer.Option(
        "--cross-check/--no-cross-check",
        help="For LLM engines, run the extractive rules too and report the actors and figures the model missed.",
    ),
]
FillGapsOpt = Annotated[
    bool,
    typer.Option(
        "--fill-gaps/--no-fill-gaps",
        help="With the cross-check, add what the model missed to the brief, marked 'rules'.",
    ),
]
AllowPrivateUrlsOpt = Annotated[
    bool,
    typer.Option(help="Fetch URLs on private, loopback or link-local addresses (refused by default, also after redirects)."),
]
FetchTimeoutOpt = Annotated[
    float | None, typer.Option(min=0.001, help="Seconds to fetch one URL, redirects and body included (default 30).")
]
LanguageOpt = Annotated[
    str | None,
    typer.Option(help="The document's language as an ISO 639-1 code (en, fr, ...) instead of detecting it."),
]
BriefLanguageOpt = Annotated[
    str | None,
    typer.Option(
        help="Write the brief's statements and summary in this language (en, fr, ...); evidence stays verbatim "
        "in the source's. Default: the source's language. Needs a model that writes the brief (--engine llm)."
    ),
]
KeepUnsupportedOpt = Annotated[
    bool,
    typer.Option(help="Keep items their evidence does not support, flagged with the reason, instead of dropping them."),
]


def _settings(
    engine: EngineChoice,
    structured_output: StructuredOutputChoice | None,
    **options: Any,
) -> Settings:
    from summarizer.api import make_settings

    try:
        return make_settings(
            engine=engine.value, structured_output=structured_output.value if structured_output else None, **options
        )
    except ConfigError as exc:
        # The API names the Settings field; on the command line the option is what the user typed.
        field, sep, problem = str(exc).partition(": ")
        if sep and field in Settings.model_fields:
            raise ConfigError(f"--{field.replace('_', '-')}: {problem}") from None
        raise



def say(message: str) -> None:
    """One line on stderr, prefixed so it is clear which program spoke."""
    print(f"summarizer: {message}", file=sys.stderr, flush=True)


def guarded(debug: bool, action: Callable[[], T]) -> T:
    """Run an action; turn failures into one line and an exit code (a traceback only with --debug)."""
    try:
        return action()
    except SummarizerError as exc:
        if debug:
            raise
        say(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        say("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (typer.Exit, typer.Abort):
        raise
    except OSError as exc:
        # Writing stdout failed (a closed pipe, a full disk): one line, nothing more on a dead stream.
        if debug:
            raise
        _silence_stdout()
        reason = "the reader closed the pipe" if exc.errno == errno.EPIPE else (exc.strerror or str(exc))
        say(f"cannot write the output ({reason})")
        raise typer.Exit(OutputError.exit_code) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        if debug:
            raise
        say(f"unexpected error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)")
        raise typer.Exit(1) from None


def _format_for(output: Path | None, fmt: OutputFormat | None) -> OutputFormat:
    if fmt is not None:
        return fmt
    if output is None:
        return OutputFormat.md
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in _SUFFIX_FORMATS:
        named = f".{suffix} is not an output format" if suffix else "has no suffix to name the output format"
        raise ConfigError(f"{output}: {named}; end it in .md, .json, .html, .csv or .xlsx, or give --format")
    return _SUFFIX_FORMATS[suffix]


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush of a dead stream cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test's captured stdout)
        pass


def _configure_logging(debug: bool) -> None:
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


BRIEF_EXAMPLES = """Examples:

\b
  summarizer brief seeds/000_ee409ff46c783017.txt
  summarizer brief article.html --format json -o brief.json
  summarizer brief article.txt -o - --format html > review.html
  summarizer brief article.txt --format csv -o brief.csv
  cat article.txt | summarizer brief - --engine extractive
  OPENAI_API_KEY=... summarizer brief article.txt --model gpt-4o-mini -o review.html
  summarizer brief article.txt --base-url http://127.0.0.1:11434/v1 --model llama3.1
  summarizer brief article.txt --engine local --gguf model.gguf
  summarizer brief https://example.org/news/story.html
  summarizer brief report.pdf
  summarizer brief statement.docx -f json

A fetched page records where it came from (--allow-private-urls lets a loopback test server through):

\b
  summarizer brief http://127.0.0.1:8765/story.html --allow-private-urls -f json
    "url": "http://127.0.0.1:8765/story.html",
    "final_url": "http://127.0.0.1:8765/story.html",
    "fetched_at": "2026-11-29T13:44:16.581471Z", "media_type": "text/html",

A PDF's quotes carry their page; a Word file's tables come a row per line:

\b
  summarizer brief report.pdf
    > “Residents downstream said they had not been told about the
    inspection” _[p. 2, 400–469]_
  summarizer brief statement.docx -f json
    "Site | Cracks", "Kariba north wall | 3", "Spillway | 0"

Private, loopback and link-local addresses are refused:

\b
  summarizer brief http://10.0.0.1/news.html
    summarizer: http://10.0.0.1/news.html: 10.0.0.1 is a private, loopback
    or link-local address (10.0.0.1); refused unless --allow-private-urls

Exit codes: 0 success; 1 the engine failed after retries, or the output could not be written; 2 bad usage or
unusable input.
"""


@app.command(epilog=BRIEF_EXAMPLES, short_help="Write the brief of one document.")
def brief(
    path: Annotated[
        str,
        typer.Argument(
            help="The document: a .txt, .md, .html, .pdf or .docx file, an http(s) URL, or - for stdin."
        ),
    ],
    engine: EngineOpt = EngineChoice("auto"),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
    fmt: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format", "-f", case_sensitive=False, help="md (default), json, html, csv or xlsx; -o FILE's suffix also sets it."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout (- for stdout).")
    ] = None,
    keep_unaligned: KeepUnalignedOpt = False,
    max_retries: MaxRetriesOpt = None,
    timeout: TimeoutOpt = None,
    max_chars: Annotated[int | None, typer.Option(help="Refuse documents longer than this (default 5,000,000).")] = None,
    structured_output: StructuredOutputOpt = None,
    max_tokens: MaxTokensOpt = None,
    gguf: GgufOpt = None,
    model_writes: ModelWritesOpt = None,
    cross_check: CrossCheckOpt = True,
    fill_gaps: FillGapsOpt = True,
    keep_unsupported: KeepUnsupportedOpt = False,
    allow_private_urls: AllowPrivateUrlsOpt = False,
    fetch_timeout: FetchTimeoutOpt = None,
    language: LanguageOpt = None,
    brief_language: BriefLanguageOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Say nothing on stderr unless something fails.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write the brief of one document."""
    _configure_logging(debug)
    if output is not None and str(output) == "-":
        output = None

    def run() -> None:
        from summarizer.api import choose_engine, load_document, summarize
        from summarizer.fetch import looks_like_url
        from summarizer.intake import read_stream

        settings = _settings(
            engine,
            structured_output,
            model=model,
            base_url=base_url,
            api_key=api_key,
            keep_unaligned=keep_unaligned,
            max_retries=max_retries,
            timeout=timeout,
            max_chars=max_chars,
            max_tokens=max_tokens,
            gguf=gguf,
            cross_check=cross_check,
            fill_gaps=fill_gaps,
            keep_unsupported=keep_unsupported,
            allow_private_urls=allow_private_urls or None,
            fetch_timeout=fetch_timeout,
            language=language,
            brief_language=brief_language,
            model_writes=model_writes.value if model_writes else None,
        )
        out_format = _format_for(output, fmt)
        if output is not None:
            _check_writable(output)
        elif out_format is OutputFormat.xlsx and sys.stdout.isatty():
            raise ConfigError("xlsx is a binary file: give -o FILE.xlsx, or redirect stdout to a file")
        if path == "-":
            doc = read_stream(sys.stdin.buffer, max_chars=settings.max_chars)
        else:
            doc = load_document(path if looks_like_url(path) else Path(path), settings)
        chosen, reason = choose_engine(settings)
        name = chosen.name
        # On a terminal a transient spinner says what runs; the log line comes only after success, so a
        # failure is exactly one line on stderr.
        message = f"{doc.name}: engine {name} ({reason})"
        with _status(message, quiet) as status, _progress_on(status, message):
            result = summarize(doc, settings=settings)
        rendered = _render(result, out_format)
        if output is None:
            _print(rendered, out_format)
        else:
            try:
                write_atomically(output, rendered)
            except OSError as exc:
                raise ConfigError(f"{output}: cannot write ({exc.strerror or exc}); choose another -o path") from None
        if not quiet:
            where = f"wrote {output}" if output else "done"
            counts = ", ".join(
                [
                    plural(len(result.actors), "actor"),
                    plural(len(result.claims), "claim"),
                    plural(len(result.figures), "figure"),
                    plural(len(result.uncertainties), "uncertainty"),
                    f"{len(result.dropped)} dropped",
                ]
            )
            say(f"engine {name}: {reason}; {where} ({counts})")

    guarded(debug, run)


def _check_writable(output: Path) -> None:
    """Refuse an output path that cannot work before any engine time (or tokens) is spent."""
    if output.is_dir():
        raise ConfigError(f"{output}: is a directory; give a file name for -o")
    for parent in output.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"{output}: {parent} is not a folder; choose another -o path")
            break


def _status(message: str, quiet: bool) -> AbstractContextManager[object]:
    if quiet or not sys.stderr.isatty():
        return nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def _progress_on(status: object, message: str) -> AbstractContextManager[None]:
    """A long document's progress (spaCy's pieces, then each stage) in the spinner's line, when there is one."""
    from rich.status import Status

    from summarizer import progress

    if not isinstance(status, Status):
        return nullcontext()
    return progress.reporting(lambda step, done, total: status.update(f"{message}: {progress.describe(step, done, total)}"))


def _render(result: object, out_format: OutputFormat) -> str | bytes:
    from summarizer.render import to_html, to_markdown
    from summarizer.schema import Brief

    assert isinstance(result, Brief)
    if out_format is OutputFormat.json:
        return result.model_dump_json(indent=2) + "\n"
    if out_format is OutputFormat.html:
        return to_html(result)
    if out_format in (OutputFormat.csv, OutputFormat.xlsx):
        from summarizer.render.tables import NamedBrief, build_tables, combined, to_csv, to_xlsx

        tables = build_tables([NamedBrief(result.source.path or "<text>", result)])
        return to_csv(combined(tables)) if out_format is OutputFormat.csv else to_xlsx(tables)
    return to_markdown(result)


def _print(rendered: str | bytes, out_format: OutputFormat) -> None:
    if out_format is OutputFormat.md and sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(str(rendered)))
        return
    if isinstance(rendered, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(rendered)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(rendered)
        sys.stdout.flush()


@app.command(
    epilog="Examples:\n\n\b\n  summarizer schema > schemas/brief.schema.json\n  summarizer schema --digest",
    short_help="Print the Brief's (or the digest's) JSON Schema.",
)
def schema(
    digest: Annotated[
        bool, typer.Option("--digest", help="The nightly digest.json's schema (schemas/digest.schema.json) instead.")
    ] = False,
) -> None:
    """Print the Brief's JSON Schema (the committed schemas/brief.schema.json)."""
    def run() -> None:
        from summarizer.schema import json_schema

        if digest:
            from summarizer.digest import Digest

            sys.stdout.write(json.dumps(Digest.model_json_schema(), indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    guarded(False, run)


EXPORT_EXAMPLES = """Examples:

\b
  summarizer export nightly/                          # nightly/export/actors.csv, claims.csv, figures.csv, uncertainties.csv
  summarizer export nightly/ --format xlsx            # nightly/export.xlsx, one sheet per table
  summarizer export nightly/ --format xlsx -o night.xlsx
"""


@app.command(epilog=EXPORT_EXAMPLES, short_help="Write a nightly folder's briefs as CSV or XLSX tables.")
def export(
    folder: Annotated[Path, typer.Argument(help="A nightly --out folder.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", case_sensitive=False, help="csv (a folder of four files) or xlsx.")
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write (default FOLDER/export/ for csv, FOLDER/export.xlsx)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Say nothing on stderr unless something fails.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write the actors, claims, figures and uncertainties of a nightly folder's briefs as tables, one row per
    item with its document, its first quote and the quote's offsets."""
    _configure_logging(debug)

    def run() -> None:
        from summarizer.nightly.export import export_night

        done = export_night(folder, fmt.lower(), output)
        if not quiet:
            counts = ", ".join(plural(len(t.rows), t.name[:-1] if t.name != "uncertainties" else "uncertainty")
                               for t in done.tables)
            where = done.written[0] if len(done.written) == 1 else done.written[0].parent
            say(f"export: {plural(done.documents, 'document')} ({counts}) -> {where}")

    guarded(debug, run)


NIGHTLY_EXAMPLES = """Examples:

\b
  summarizer nightly inbox/ --out nightly/
  summarizer nightly inbox/ @more.txt extra/story.html --out nightly/ --since 24h
  summarizer nightly @links.txt https://example.org/report.pdf --out nightly/
  OPENAI_API_KEY=... summarizer nightly inbox/ --out nightly/ --model gpt-4o-mini --concurrency 16 --token-budget 500000
  summarizer nightly inbox/ --out nightly/ --base-url http://127.0.0.1:8080/v1 --max-docs 50
  summarizer export nightly/ --format xlsx

Writes OUT/briefs/SLUG-HASH8-ENGINE-ID6.json, .md and .html per document (each engine, model and
prompt version its own files), OUT/digest.md (.json, .html; also kept as OUT/digests/DATE.md),
OUT/runs/RUN.json and the ledger OUT/ledger.sqlite3, which also remembers stories across nights
(summarizer stories). A re-run does only what is not done: new or changed documents, failed ones,
and everything after a prompt or model change (--force redoes everything). A URL is fetched on
every run and keyed by the hash of what it returned, so a page that did not change is not redone.
A document that failed --quarantine-after times in a row is quarantined: reported, not retried
(--retry-failed tries again). A missing path in an @FILE manifest fails that entry only.

Exit codes: 0 every document done (or quarantined); 1 some failed (named on stderr; retried by the
next run); 2 bad usage; 130 interrupted by Ctrl-C or SIGTERM (what was done is kept).
"""


@app.command(epilog=NIGHTLY_EXAMPLES, short_help="Summarize folders of documents into briefs and a digest.")
def nightly(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT",
            help="Folders (recursively *.txt, *.md, *.html, *.pdf, *.docx), files, http(s) URLs, or @FILE "
            "manifests listing paths and URLs.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for briefs, digest, reports and ledger.")],
    engine: EngineOpt = EngineChoice("auto"),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Documents at once (default 8 for an LLM; extractive: one per core at most; "
                     "--batch-api: worker processes that build requests and ground answers, one per core)."),
    ] = None,
    max_docs: Annotated[
        int | None, typer.Option(min=1, help="Start at most this many documents; the rest wait for the next run.")
    ] = None,
    token_budget: Annotated[
        int | None, typer.Option(min=1, help="Start no new document once this many tokens are spent.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Redo documents the ledger has as done.")] = False,
    since: Annotated[
        str | None, typer.Option(help="Only files modified since a date (2026-11-24), date-time or duration (36h, 7d).")
    ] = None,
    doc_timeout: Annotated[
        float | None, typer.Option(min=0.001, help="Stop and fail a document that takes more seconds than this.")
    ] = None,
    night: Annotated[
        str | None,
        typer.Option(help="The date (YYYY-MM-DD) this run stands for in story memory (default: today)."),
    ] = None,
    quarantine_after: Annotated[
        int | None,
        typer.Option(min=1, help="Stop retrying a document after this many failed attempts in a row (default 3)."),
    ] = None,
    retry_failed: Annotated[bool, typer.Option(help="Retry quarantined documents too.")] = False,
    keep_unaligned: KeepUnalignedOpt = False,
    max_retries: MaxRetriesOpt = None,
    timeout: TimeoutOpt = None,
    structured_output: StructuredOutputOpt = None,
    max_tokens: MaxTokensOpt = None,
    gguf: GgufOpt = None,
    model_writes: ModelWritesOpt = None,
    cross_check: CrossCheckOpt = True,
    fill_gaps: FillGapsOpt = True,
    keep_unsupported: KeepUnsupportedOpt = False,
    allow_private_urls: AllowPrivateUrlsOpt = False,
    fetch_timeout: FetchTimeoutOpt = None,
    language: LanguageOpt = None,
    brief_language: BriefLanguageOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only failures and the summary line.")] = False,
    debug: DebugOpt = False,
    batch_api: Annotated[
        bool, typer.Option(help="Send documents through the provider's Batch API (half price, within 24 h): each "
                                "run collects finished batches, submits pending documents and exits.")
    ] = False,
    wait: Annotated[bool, typer.Option(help="With --batch-api: poll until every batch has ended.")] = False,
    batch_fallback: Annotated[
        bool, typer.Option(help="With --batch-api: documents that failed every batch attempt go request by request.")
    ] = False,
    batch_max_attempts: Annotated[
        int, typer.Option(min=1, max=20, help="With --batch-api: batches a document may fail before it is given up.")
    ] = 3,
    batch_prices: Annotated[
        Path | None, typer.Option(help="With --batch-api: JSON price table, USD per 1M tokens "
                                       '({"MODEL": {"input": 0.15, "output": 0.6}}).')
    ] = None,
) -> None:
    """Summarize every document in folders, files or manifests, keep a ledger, and write a digest."""
    _configure_logging(debug)

    def run() -> int:
        from summarizer.batch_api.options import BatchApiOptions
        from summarizer.nightly import NightlyOptions, parse_since, reporter_for, run_nightly

        settings = _settings(
            engine,
            structured_output,
            model=model,
            base_url=base_url,
            api_key=api_key,
            keep_unaligned=keep_unaligned,
            max_retries=max_retries,
            timeout=timeout,
            max_tokens=max_tokens,
            gguf=gguf,
            cross_check=cross_check,
            fill_gaps=fill_gaps,
            keep_unsupported=keep_unsupported,
            allow_private_urls=allow_private_urls or None,
            fetch_timeout=fetch_timeout,
            language=language,
            brief_language=brief_language,
            model_writes=model_writes.value if model_writes else None,
        )
        options = NightlyOptions(
            inputs=inputs,
            out=out,
            settings=settings,
            concurrency=concurrency,
            max_docs=max_docs,
            token_budget=token_budget,
            force=force,
            since=parse_since(since) if since else None,
            doc_timeout=doc_timeout,
            night=_night(night),
            retry_failed=retry_failed,
            **({"quarantine_after": quarantine_after} if quarantine_after is not None else {}),
            batch_api=BatchApiOptions(
                wait=wait, fallback=batch_fallback, max_attempts=batch_max_attempts, prices=batch_prices
            ) if batch_api else None,
        )
        if not batch_api and (wait or batch_fallback or batch_prices):
            raise ConfigError("--wait, --batch-fallback and --batch-prices go with --batch-api")
        report = run_nightly(options, reporter_for(out, tty=sys.stderr.isatty(), quiet=quiet))
        if report.status == "interrupted":
            return EXIT_INTERRUPTED
        return 0 if report.ok else 1

    raise typer.Exit(guarded(debug, run))


def _night(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--night {text}: give a date as YYYY-MM-DD") from None


STORIES_EXAMPLES = """Examples:

\b
  summarizer stories --out nightly/
  summarizer stories --out nightly/ s-7e1384c067ba
  summarizer stories --out nightly/ --json > stories.json

Lists the stories that `summarizer nightly --out DIR` remembers, the most recently seen first: first and
last night, documents, the briefs of each night and the figures over time. With STORY, one story's
whole timeline. Exit code 2 when DIR has no ledger or STORY matches no story.
"""


@app.command(epilog=STORIES_EXAMPLES, short_help="List the stories nightly runs remember, or one story's timeline.")
def stories(
    out: Annotated[Path, typer.Option("--out", "-o", help="The nightly output folder.")],
    story: Annotated[str | None, typer.Argument(metavar="[STORY]", help="A story id (s-...), or its start.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timelines as JSON.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Stories across nightly runs, with their timelines; or one story's timeline."""
    _configure_logging(debug)

    def run() -> None:
        from summarizer.render.stories_markdown import render_story, render_story_list
        from summarizer.stories.view import story_timeline, story_timelines

        if story is not None:
            one = story_timeline(out, story)
            if as_json:
                _print(one.model_dump_json(indent=2) + "\n", OutputFormat.json)
            else:
                _print(render_story(one), OutputFormat.md)
            return
        timelines = story_timelines(out)
        if as_json:
            data = [t.model_dump(mode="json") for t in timelines]
            _print(json.dumps(data, indent=2, ensure_ascii=False) + "\n", OutputFormat.json)
        else:
            _print(render_story_list(timelines), OutputFormat.md)

    guarded(debug, run)


def main() -> None:
    # The interpreter's last garbage collection walks every object still alive, which after a night of
    # 10,000 documents took 1-2 s of a process that is about to end; frozen, they are left to the exit.
    atexit.register(gc.freeze)
    app(prog_name="summarizer")
