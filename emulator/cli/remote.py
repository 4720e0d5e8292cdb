"""The ``--url`` client: ``mcemu seed/export/reset`` against a running emulator's admin API.

Every call has a connect and a read timeout, so the CLI never hangs. An address where no
emulator answers is :class:`RemoteUnavailable` (the CLI exits 2: the ``--url`` is wrong, not the
data); a refusal of the data comes back as the same FixtureProblems a local seed raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import requests

from emulator.errors import EmulatorError
from emulator.fixtures.documents import DataExtensionDefinition
from emulator.fixtures.problems import FixtureProblems, Problem, Problems
from emulator.fixtures.seeding import SeedReport

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 300.0  # a seed of many rows is checked and saved before the answer comes


class RemoteUnavailable(EmulatorError):
    """No emulator answers at the ``--url`` (or it refused the admin token)."""

    code = "remote_unavailable"
    exit_code = 2  # the --url (or its admin token) is wrong, not the data


class RemoteRefused(EmulatorError):
    """The emulator answered with a refusal that is not about the data."""

    code = "remote_refused"


class AdminClient:
    """Call the admin API of the emulator at ``url``."""

    def __init__(self, url: str, token: str | None = None,
                 timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # a proxy from the environment must not see the token
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def seed(self, definitions: Sequence[DataExtensionDefinition], mode: str,
             dry_run: bool, record_files: Sequence[Mapping[str, str]] = ()) -> SeedReport:
        """Seed ``definitions`` and the ``record_files`` of fixtures directories (name -> text,
        one mapping a directory); problems the server finds point back into the local files."""
        documents = [{**d.schema.to_json(), "rows": list(d.rows)} for d in definitions]
        params = {"mode": mode, "dryRun": "true" if dry_run else "false"}
        body: Any = documents if not record_files else {
            "dataExtensions": documents, "recordFiles": list(record_files)}
        answer = self._call("POST", "/_emulator/seed", json=body, params=params)
        return SeedReport.from_json(answer)

    def state(self) -> dict[str, Any]:
        """Return ``GET /_emulator/state``."""
        return self._call("GET", "/_emulator/state")

    def reset(self, to: str, journal: bool = False) -> dict[str, Any]:
        """Reset the emulator to ``start``, ``fixtures`` or ``empty``; ``journal``: clear it too."""
        return self._call("POST", "/_emulator/reset", json={"to": to, "journal": journal})

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.session.request(method, self.url + path, timeout=self.timeout,
                                            **kwargs)
        except requests.Timeout:
            raise RemoteUnavailable(f"{self.url} did not answer within "
                                    f"{self.timeout[1]:.0f} s.") from None
        except requests.RequestException as error:
            raise RemoteUnavailable(f"no emulator answers at {self.url} ({_reason(error)}); "
                                    "start one with 'mcemu serve', or check --url.") from None
        try:
            answer = response.json()
        except ValueError:
            raise RemoteUnavailable(f"{self.url} answered {response.status_code} without "
                                    f"JSON: is it an mc-emulator? ({path})") from None
        if response.ok:
            return answer
        message = answer.get("message", response.reason) if isinstance(answer, dict) else ""
        if response.status_code in (401, 403):
            raise RemoteUnavailable(f"{self.url} refused the admin request: {message}")
        if isinstance(answer, dict) and isinstance(answer.get("problems"), list):
            raise _problems(answer)
        raise RemoteRefused(f"{self.url} refused {method} {path} "
                            f"({response.status_code}): {message}")


def relocate(error: FixtureProblems,
             definitions: Sequence[DataExtensionDefinition]) -> FixtureProblems:
    """Point problems the server found in the posted rows back into the local files."""
    by_key = {d.schema.key: d for d in definitions}
    problems = Problems()
    for problem in error.problems:
        definition = by_key.get(problem.data_extension or "")
        if definition is None:
            problems.add(problem)
            continue
        located = Problem(problem.message, problem.rule,
                          file=definition.rows_source or str(definition.source),
                          data_extension=problem.data_extension, row=problem.row,
                          field=problem.field)
        if problem.row is None:
            located = Problem(problem.message, problem.rule, file=str(definition.source),
                              data_extension=problem.data_extension, field=problem.field)
        problems.add(located, definition.locator)
    return FixtureProblems(problems, error.total)


def _problems(answer: Mapping[str, Any]) -> FixtureProblems:
    problems = Problems()
    for item in answer["problems"]:
        if isinstance(item, dict):
            problems.add(Problem.from_json(item))
    total = answer.get("total")
    return FixtureProblems(problems, total if isinstance(total, int) else None)


def _reason(error: requests.RequestException) -> str:
    text = str(error)
    for hint in ("Connection refused", "Name or service not known", "No route to host",
                 "timed out", "Invalid URL", "No connection adapters"):
        if hint in text:
            return hint.lower()
    return type(error).__name__
