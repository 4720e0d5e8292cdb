"""The emulator's own errors: one rooted, shallow tree.

Errors the *platform* raises inside a page are modelled apart, in ``emulator.script.errors``,
because pages catch them. These are the emulator refusing something: a bad fixture, a bad
setting, a store rule broken outside a page.
"""

from __future__ import annotations

from emulator import assumptions


class EmulatorError(Exception):
    """Root of every error the emulator raises about its own input or state.

    ``exit_code`` is the ``mcemu`` exit status when the error ends a command: 1, the data or
    token was refused, unless a subclass says 2, a usage error (a bad option, variable or
    address). ``preface`` is a line the CLI prints before the message, if any.
    """

    code = "emulator_error"
    exit_code = 1
    preface = ""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotEmulatedError(EmulatorError):
    """A real platform feature, function or URL that the emulator does not implement (yet).

    The one root of every "not emulated" error: a page's (``script.errors.FeatureNotEmulated``,
    which the page can also catch) and the mock's (``testing.errors.URLNotEmulated``, which is
    also a ``requests.ConnectionError``). A name the platform does not have is the user's error,
    never this.
    """

    code = "not_emulated"


class ConfigError(EmulatorError):
    """A setting, option or environment variable has a value the emulator cannot use."""

    code = "config_error"
    exit_code = 2


class FixtureError(EmulatorError):
    """A fixture file cannot be loaded; the message names the file and what is wrong."""

    code = "fixture_error"


class StoreError(EmulatorError):
    """A Data Extension operation broke a rule of the store."""

    code = "store_error"


class DataExtensionNotFound(StoreError):
    code = "data_extension_not_found"

    def __init__(self, key: str) -> None:
        super().__init__(assumptions.DE_MISSING.format(key=key))
        self.key = key


class RowRejected(StoreError):
    """A row broke a schema rule; ``rule`` names it (unknown-field, required, duplicate-key...)."""

    code = "row_rejected"

    def __init__(self, message: str, *, key: str, field: str, rule: str, value: object = None):
        super().__init__(message)
        self.key = key
        self.field = field
        self.rule = rule
        self.value = value


class InvalidFilter(StoreError):
    code = "invalid_filter"

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(assumptions.DE_BAD_FILTER.format(key=key, reason=reason))
        self.key = key
        self.reason = reason


class StoreLocked(StoreError):
    """Another process holds the database file."""

    code = "store_locked"
    exit_code = 2  # the --db names a file in use: the command line, not the data, is wrong


class StoreWriteFailed(StoreError):
    """The ``--db`` file could not take a change (disk full, read-only): the change was undone.

    Raised by the store after it has put its working set back as it was, so the change is
    neither kept in memory nor answered as done; reads keep working. Inside a page it stops the
    page (``emulator.pages.runner``); over HTTP it is answered :attr:`status`, the emulator's own
    refusal (``emulator.web.refusals``).
    """

    code = "store_write_failed"
    status = 507  # Insufficient Storage: the request was fine, the emulator could not keep it

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason  # the operating system's words ("No space left on device")
