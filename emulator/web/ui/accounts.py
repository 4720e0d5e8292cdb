"""Dashboard pages of who may call the emulator: installed packages and business units."""

from __future__ import annotations

from flask import render_template

from emulator.rest.packages import PACKAGES_TABLE, shown
from emulator.runtime import get_emulator
from emulator.web.admin.units import unit_summaries


def packages() -> str:
    """List the installed packages, client secrets masked, and the tokens issued."""
    emulator = get_emulator()
    store = emulator.store
    records = store.records(PACKAGES_TABLE) if store.has_records(PACKAGES_TABLE) else []
    return render_template("ui/packages.html", packages=[shown(r) for r in records],
                           tokens=len(emulator.tokens))


def business_units() -> str:
    """List the business units with their parents and what each holds."""
    return render_template("ui/business_units.html",
                           units=unit_summaries(get_emulator().store))
