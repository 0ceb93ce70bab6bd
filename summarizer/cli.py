"""The command line: parses arguments, calls the API, writes the result. No pipeline logic lives here."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from summarizer.atomic import write_atomically
from summarizer.config import Settings
from summarizer.engines import registry
from summarizer.errors import ConfigError, SummarizerError

T = TypeVar("T")

app = typer.Typer(
    name="summarizer",
    help="Turn a news article into a structured, grounded brief: actors, claims, figures, uncertainties.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_INTERRUPTED = 130


class OutputFormat(str, Enum):
    md = "md"
    json = "json"
    html = "html"


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

    return make_settings(
        engine=engine.value, structured_output=structured_output.value if structured_output else None, **options
    )



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
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        if debug:
            raise
        say(f"unexpected error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)")
        raise typer.Exit(1) from None


def _format_for(output: Path | None, fmt: OutputFormat | None) -> OutputFormat:
    if fmt is not None:
        return fmt
    if output is not None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix in ("json", "html"):
            return OutputFormat(suffix)
        if suffix == "htm":
            return OutputFormat.html
    return OutputFormat.md


def _configure_logging(debug: bool) -> None:
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


BRIEF_EXAMPLES = """
**Examples**

    summarizer brief seeds/000_ee409ff46c783017.txt

    summarizer brief article.html --format json -o brief.json

    cat article.txt | summarizer brief - --engine extractive

    OPENAI_API_KEY=... summarizer brief article.txt --model gpt-4o-mini --format html -o review.html

    summarizer brief article.txt --base-url http://127.0.0.1:11434/v1 --model llama3.1

    summarizer brief article.txt --engine local --gguf model.gguf

Exit codes: 0 success; 1 the engine failed after retries; 2 bad usage or unusable input.
"""


@app.command(epilog=BRIEF_EXAMPLES)
def brief(
    path: Annotated[str, typer.Argument(help="The document: a .txt, .md or .html file, or - for stdin.")],
    engine: EngineOpt = EngineChoice("auto"),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
    fmt: Annotated[
        OutputFormat | None, typer.Option("--format", "-f", help="md (default), json or html; -o FILE's suffix also sets it.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Say nothing on stderr unless something fails.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write the brief of one document."""
    _configure_logging(debug)
    out_format = _format_for(output, fmt)

    def run() -> None:
        from summarizer.api import choose_engine, load_document, summarize
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
            model_writes=model_writes.value if model_writes else None,
        )
        if output is not None:
            _check_writable(output)
        if path == "-":
            doc = read_stream(sys.stdin.buffer, max_chars=settings.max_chars)
        else:
            doc = load_document(Path(path), settings)
        chosen, reason = choose_engine(settings)
        name = chosen.name
        # On a terminal a transient spinner says what runs; the log line comes only after success, so a
        # failure is exactly one line on stderr.
        with _status(f"{doc.name}: engine {name} ({reason})", quiet):
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
            say(
                f"engine {name}: {reason}; {where} ({len(result.actors)} actors, {len(result.claims)} claims, "
                f"{len(result.figures)} figures, {len(result.uncertainties)} uncertainties, "
                f"{len(result.dropped)} dropped)"
            )

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


def _render(result: object, out_format: OutputFormat) -> str:
    from summarizer.render import to_html, to_markdown
    from summarizer.schema import Brief

    assert isinstance(result, Brief)
    if out_format is OutputFormat.json:
        return result.model_dump_json(indent=2) + "\n"
    if out_format is OutputFormat.html:
        return to_html(result)
    return to_markdown(result)


def _print(rendered: str, out_format: OutputFormat) -> None:
    if out_format is OutputFormat.md and sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(rendered))
        return
    sys.stdout.write(rendered)
    sys.stdout.flush()


@app.command(epilog="**Example**\n\n    summarizer schema > schemas/brief.schema.json")
def schema() -> None:
    """Print the Brief's JSON Schema (the committed schemas/brief.schema.json)."""
    from summarizer.schema import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")


NIGHTLY_EXAMPLES = """
**Examples**

    summarizer nightly inbox/ --out nightly/

    summarizer nightly inbox/ @more.txt extra/story.html --out nightly/ --since 24h

    OPENAI_API_KEY=... summarizer nightly inbox/ --out nightly/ --model gpt-4o-mini --concurrency 16 --token-budget 500000

    summarizer nightly inbox/ --out nightly/ --base-url http://127.0.0.1:8080/v1 --max-docs 50

Writes OUT/briefs/SLUG-HASH8.json and .md per document, OUT/digest.md, OUT/runs/RUN.json and the
ledger OUT/ledger.sqlite3. A re-run does only what is not done: new or changed documents, failed
ones, and everything after a prompt or model change (--force redoes everything).

Exit codes: 0 every document done; 1 some failed (named on stderr; retried by the next run);
2 bad usage; 130 interrupted (what was done is kept).
"""


@app.command(epilog=NIGHTLY_EXAMPLES)
def nightly(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT", help="Folders (recursively *.txt, *.md, *.html), files, or @FILE manifests of paths."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for briefs, digest, reports and ledger.")],
    engine: EngineOpt = EngineChoice("auto"),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Documents at once (default 8 for an LLM; extractive: one per core at most)."),
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


def main() -> None:
    app()
