"""`summarizer nightly`: a folder of documents in, a brief per document plus one digest out, safe to leave to cron.

A run, top to bottom:
1. discover: directories (recursively *.txt, *.md, *.html, *.htm, hidden entries and the output folder
   skipped, other types counted), files, and `@list.txt` manifests (a missing entry fails alone);
   `--since` keeps files modified since then;
2. plan: hash each file's bytes and look the (hash, engine, model, prompt version) key up in the ledger:
   done (with both brief files present, readable and that engine's) is reused, failed too many times in
   a row is quarantined (not run, unless --retry-failed), anything else is queued as pending;
3. run: `batch.run_batch` with bounded concurrency; `--max-docs` and `--token-budget` stop *starting*
   documents (the rest stay pending for the next run); each brief's files are written atomically and
   only then is its row marked done, so a crash at any point leaves at worst a pending row to redo;
4. stories: the run's briefs join the story index kept in the ledger's file (`stories_step`, one
   transaction; see summarizer.stories), which tells new, developing and quiet stories;
5. report: `digest.md` (+ `digest.json`, `digest.html`, and the night's copies in `digests/<date>.*`)
   over every done document of this run's inputs, with the story parts first, and `runs/<run id>.json`.

Output folder layout:
    briefs/<slug>-<hash8>-<engine>-<id6>.json, .md, .html   one set per document and engine identity
    runs/<run id>.json                one report per run
    digest.md, digest.json, digest.html
    digests/<date>.md, .json, .html   each night's digest, kept
    ledger.sqlite3 (+ -wal, -shm)     see summarizer.ledger
    .nightly.lock                     held while a run is in progress (one run per folder at a time)

Modules, in the order a run uses them: `options` (NightlyOptions), `discovery` (step 1), `plan` (step 2),
`run` (steps 3 to 5), `stories_step` (step 4), `report` (the run report), `progress` (what a run prints as it goes).
"""

from summarizer.nightly.discovery import DOCUMENT_SUFFIXES, discover, parse_since
from summarizer.nightly.options import NightlyOptions
from summarizer.nightly.progress import PlainReporter, Reporter, RichReporter, SilentReporter, reporter_for
from summarizer.nightly.report import Counts, DocumentReport, RunReport
from summarizer.nightly.run import run_nightly

__all__ = [
    "DOCUMENT_SUFFIXES",
    "Counts",
    "DocumentReport",
    "NightlyOptions",
    "PlainReporter",
    "Reporter",
    "RichReporter",
    "RunReport",
    "SilentReporter",
    "discover",
    "parse_since",
    "reporter_for",
    "run_nightly",
]
