"""Content blocks from ``content/`` fixtures folders, found by key, by name path and by id.

``blocks`` reads the folder (each block an ``.html`` file and a sidecar ``.json``) into the
store's :data:`~emulator.content.blocks.CONTENT_TABLE`; ``lookup`` finds a block there.
"""
