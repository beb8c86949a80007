"""The wiki web UI: Otterwiki in library mode over the page store (see handler.py, library.py).

State besides git: per-wiki preferences and drafts live in `{data}/{user}/{wiki}/ui.json`, beside
the wiki's `repo.git`, written atomically (minidb.py); Otterwiki's render cache lives in process
memory. No SQLite file is shared on EFS.
"""
