"""Tracking events: ``SentEvent``, ``OpenEvent``, ``ClickEvent``, ``BounceEvent``, ``UnsubEvent``.

No HTTP and no SSJS here: records seeded from ``events/<Type>.json`` in fixtures directories
and the ``UnsubEvent`` a ``LogUnsubEvent`` execute logs live in the store table ``_events``;
the read-only object types of emulator/objects/events.py retrieve them.
"""
