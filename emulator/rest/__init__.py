"""The platform's REST API without HTTP: packages, tokens, error bodies (and W's rowsets, jobs).

Nothing here imports Flask; ``emulator/web/rest/`` is the thin HTTP layer over it.
"""
