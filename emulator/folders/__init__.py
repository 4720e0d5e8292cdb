"""Folders as data: the default tree, ``folders.json`` in fixtures directories, the store table.

No HTTP and no SSJS here: the ``DataFolder`` object type (emulator/objects/folders.py) reads
and writes them through :mod:`emulator.folders.data`.
"""
