"""`summarizer nightly --batch-api`: a night's documents through the provider's Batch API (OpenAI's, Azure
OpenAI's, or any server that speaks it), at the provider's batch price, resumable from cron.

A run, top to bottom (`nightly.run_batch_api`):
1. reconcile (`reconcile`): finish what a killed run left half done. Every call that costs or creates
   something is preceded by a ledger row saying what is about to happen (an *intent*), and every object
   the provider keeps carries the intent's id (the file's name, the batch's metadata), so a re-run finds
   an upload or a batch whose answer it never received instead of making a second one;
2. collect (`collect`): every finished batch's output and error files, joined to documents by
   `custom_id`; each complete document is grounded, checked, verified and written exactly as the
   per-request path does; a failed one goes back to pending with its reason;
3. submit (`submit`): pending documents as JSONL chat-completion requests (`requests`), split at the
   provider's limits, uploaded and submitted with a 24 h window;
4. report (`report`, `costs`): what is in flight, tokens and cost at the batch price.

The tables live in the nightly ledger's SQLite file, versioned on their own (`store`).
Modules import the engine only through the registry: the request bodies and the reading of answers are
the llm engine's (`LLMEngine.batch_bodies` / `batch_result`).
"""
