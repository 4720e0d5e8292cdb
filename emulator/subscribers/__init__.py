"""Subscribers and lists: their records, fixture files, the store tables that keep them.

No HTTP and no SSJS here: the admin API, the dashboard and the page context read them through
:mod:`emulator.subscribers.data`.
"""
