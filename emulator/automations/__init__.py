"""Automations and their query definitions as data: ``automations.json``, store tables, runs.

No HTTP and no SSJS here: the ``Automation`` and ``QueryDefinition`` object types
(emulator/objects/automations.py) read them and record runs through :mod:`.runs`.
"""
