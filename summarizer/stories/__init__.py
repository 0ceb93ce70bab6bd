"""Story memory across nightly runs: which briefs tell the same story, night after night, and what changed.

Kept import-light on purpose: `summarizer.digest` imports `summarizer.stories.models`, so this package's
`__init__` must not import the modules that need the digest (features, index, changes).

- migration: the ledger schema step that adds the story tables (version 2 of the ledger).
- features:  what a brief contributes: the text compared, and the facts (actors, claims, figures) kept.
- similarity: hashed TF-IDF vectors and the per-story centroids, with scikit-learn.
- terms:     a text's counted words and their hashed columns, as the vectoriser makes them, without it.
- store:     the story tables in the output folder's SQLite file.
- index:     a night's briefs joined to stories (or starting them); repair and rebuild.
- changes:   what each story touched tonight says that earlier nights did not.
- models:    the story part of the digest (new / developing / quiet) and story timelines.
"""
