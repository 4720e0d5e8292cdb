"""The value model shared by SSJS pages and AMPscript: JavaScript semantics, CLR text, exceptions.

This is the bottom layer: it imports nothing from the rest of the emulator but
``emulator.assumptions``, so the platform shims, the AMPscript interpreter and the store can all
speak the same values.
"""
