"""Business units: the units of a ``--db`` (``business_units.json``) and which DEs each sees."""
