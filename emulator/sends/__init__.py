"""Sends captured, never sent: triggered send definitions and the outbox of a page's sends.

No HTTP and no SSJS here: the ``TriggeredSendDefinition``, ``TriggeredSend`` and ``SentEvent``
object types (emulator/objects/sends.py) use it; the admin API and ``mc.outbox`` read the outbox.
"""
