"""``mcemu demo``: the seed article's five steps and what goes wrong, narrated for a room.

Every exchange is real HTTP (a :class:`~emulator.testing.LiveServer` in this process, or the
emulator at ``--url``); what the page wrote and warned comes from the admin API's journal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
import requests

from emulator import tokens
from emulator.errors import EmulatorError
from emulator.tokens import b64url

TIMEOUT = (5.0, 30.0)


@dataclass(frozen=True)
class Reply:
    """One page's answer, with the journal entry the emulator recorded for it."""

    status: int
    body: str
    entry: dict[str, Any]

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class UnknownClient(EmulatorError):
    """The demo's client_id has no AppCredentials row where the demo runs: /api refuses it."""

    code = "unknown_client"

    @classmethod
    def at(cls, url: str, where: str, client_id: str, admin_token: str | None) -> UnknownClient:
        """Name the client, the clients ``url`` does know, and how to list them."""
        from emulator.cli.keys import client_ids_from_url

        known = client_ids_from_url(url, admin_token)
        listed = ", ".join(known) if known else "none"
        how = ("leave --client-id out to use demo-client" if where != url else
               f"list them with: curl -s {url.rstrip('/')}"
               "/_emulator/data-extensions/AppCredentials/rows")
        return cls(f"unknown client {client_id!r}: {where} has no AppCredentials row with this "
                   f"client_id, so /api answers \"Unknown client\".\n"
                   f"Clients there: {listed}; {how}.")


class Narrator:
    """Print headings, prose and exchanges; styled on a terminal, plain when piped."""

    def __init__(self, color: bool | None = None, step: bool = False,
                 echo: Callable[..., None] = click.echo) -> None:
        self.color = color
        self.pause_between = step
        self.echo = echo
        self.steps = 0

    def _out(self, text: str = "", **style: Any) -> None:
        self.echo(click.style(text, **style) if style else text, color=self.color)

    def heading(self, title: str) -> None:
        if self.steps and self.pause_between:
            click.pause("\n(press any key for the next step)")
        self.steps += 1
        self._out()
        self._out("=" * 78, fg="cyan")
        self._out(title, fg="cyan", bold=True)
        self._out("=" * 78, fg="cyan")

    def say(self, text: str) -> None:
        self._out(text)

    def note(self, label: str, text: str, good: bool | None = None) -> None:
        colour = {True: "green", False: "red", None: "yellow"}[good]
        self.echo(click.style(f"  {label:<11}", fg=colour, bold=True) + text, color=self.color)

    def exchange(self, method: str, path: str, headers: dict[str, str], body: str,
                 reply: Reply) -> None:
        self._out(f"  > {method} {path} HTTP/1.1", fg="blue")
        for name, value in headers.items():
            self._out(f"  > {name}: {value}", fg="blue")
        if body:
            self._out(f"  > {body}", fg="blue")
        self._out(f"  < HTTP/1.1 {reply.status}", fg="magenta")
        self._out(f"  < {reply.body}", fg="magenta")
        for written in reply.entry.get("rows_written", []):
            self.note("row", f"{written['dataExtension']} <- {json.dumps(written['row'])}")
        for warning in reply.entry.get("warnings", []):
            self.note("warning", warning, good=False)

    def token(self, token: str) -> tokens.DecodedToken | None:
        try:
            decoded = tokens.decode(token)
        except tokens.MalformedToken as error:
            self.note("token", f"not a JWT: {error.message}", good=False)
            return None
        self.note("header", decoded.header_text)
        self.note("payload", decoded.payload_text)
        self.note("signature", f"{token.rsplit('.', 1)[1]} ({len(decoded.signature)} bytes)")
        return decoded


class DemoClient:
    """Talk to the pages and the admin journal of one emulator."""

    def __init__(self, url: str, admin_token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.trust_env = False
        self.admin_headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}

    def send(self, method: str, path: str, headers: dict[str, str] | None = None,
             body: str = "") -> Reply:
        answer = self.session.request(method, self.url + path, headers=headers or {},
                                      data=body.encode("utf-8"), timeout=TIMEOUT)
        journal = self.session.get(self.url + "/_emulator/journal", params={"limit": 1},
                                   headers=self.admin_headers, timeout=TIMEOUT)
        entries = journal.json().get("entries", []) if journal.ok else []
        return Reply(answer.status_code, answer.text, entries[0] if entries else {})


def run_demo(client: DemoClient, narrator: Narrator, client_id: str, client_secret: str,
             signing_secret: str | None) -> None:
    """Run every step against ``client``, narrating to ``narrator``."""
    n = narrator
    body = json.dumps({"operation": "RequestToken", "grant_type": "client_credentials",
                       "client_id": client_id, "client_secret": client_secret},
                      separators=(",", ":"))

    def post(path: str, text: str) -> Reply:
        reply = client.send("POST", path, {"Content-Type": "application/json"}, text)
        n.exchange("POST", path, {"Content-Type": "application/json"}, text, reply)
        return reply

    def call_api(token: str) -> Reply:
        headers = {"Authorization": f"Bearer {token}"}
        reply = client.send("GET", "/api", headers)
        n.exchange("GET", "/api", headers, "", reply)
        return reply

    def check(decoded: tokens.DecodedToken | None) -> None:
        if decoded is None or signing_secret is None:
            n.note("verify", "skipped: the app's signing secret is not known here")
            return
        result = tokens.verify(decoded, signing_secret)
        verdict = "verifies" if result.verified else "does NOT verify"
        n.note("verify", f"{verdict} with {client_id}'s signing secret: {result.reason} "
                         f"({result.method})", good=result.verified)

    n.heading("Step 1 - The app authenticates: POST its credentials to the token page")
    n.say("The app sends its client_id and client_secret as JSON to the CloudPage at /token.")
    reply = post("/token", body)

    n.heading("Step 2 - The page generates the token")
    n.say("The page logged the request in HTTPProperties (rows above), looked the app up in\n"
          "AppCredentials with client_id AND client_secret, and signed the raw request body\n"
          "with the app's signing_secret: AMPscript GetJWT(@Secret, 'HS256', @JSON).")
    token = str((reply.json() or {}).get("access_token", ""))

    n.heading("Step 3 - The token is returned to the app")
    n.say("A JWT is three Base64url parts: header, payload, signature. Anyone can read the\n"
          "first two: here the payload is the request body, client_secret included, and it\n"
          "has no exp claim, so it never expires.")
    decoded = n.token(token)

    n.heading("Step 4 - The app calls an API with Authorization: Bearer <token>")
    n.say("The protected CloudPage at /api reads the header with GetRequestHeader.")
    api_reply = call_api(token)

    n.heading("Step 5 - The platform verifies the signature with the shared secret")
    n.say("SFMC has no verify function: /api finds the app by the client_id claim, recomputes\n"
          "GetJWT(signing_secret, alg, payload) and compares it with the token it was given.")
    n.note("answer", api_reply.body, good="verified" in api_reply.body)
    check(decoded)

    n.heading("What can go wrong 1 - a GET request")
    n.say("There is no SSJS status setter: the page answers HTTP 200 with a \"403\" body.")
    get_headers: dict[str, str] = {}
    get_reply = client.send("GET", "/token", get_headers)
    n.exchange("GET", "/token", get_headers, "", get_reply)

    n.heading("What can go wrong 2 - an invalid operation")
    post("/token", '{"operation":"Refresh"}')

    n.heading("What can go wrong 3 - wrong credentials")
    n.say("GetAccessToken *returns* an error object instead of throwing, and GetJWT signs with\n"
          "that object's CLR text. The app gets HTTP 200 and an access_token...")
    wrong = post("/token", body.replace(json.dumps(client_secret), '"wrong-secret"'))
    bad_token = str((wrong.json() or {}).get("access_token", ""))
    check(n.token(bad_token))
    n.say("...that no app's signing secret verifies: the token is useless, and /api says so.")
    call_api(bad_token)

    n.heading("What can go wrong 4 - a tampered token")
    n.say("Someone edits the readable payload (adds \"admin\":true) and keeps the signature.")
    segments = token.split(".")
    forged_payload = b64url(body[:-1].encode() + b',"admin":true}')
    call_api(".".join([segments[0], forged_payload, segments[-1]]))

    n.heading("What can go wrong 5 - an empty body")
    n.say("ParseJSON(\"\") is null, and json.operation throws; the catch block logs the error\n"
          "in CustomAppException and answers it.")
    post("/token", "")

    n.heading("The fix - the hardened page beside the original")
    n.say("/token/hardened takes the same request, answers errors instead of tokens, and signs\n"
          "claims it builds itself: client_id, iat, exp, jti. No secret, and an expiry.")
    hardened = post("/token/hardened", body)
    hardened_token = str((hardened.json() or {}).get("access_token", ""))
    check(n.token(hardened_token))
    call_api(hardened_token)
    n.say("Wrong credentials on the hardened page:")
    post("/token/hardened", body.replace(json.dumps(client_secret), '"wrong-secret"'))
    n.heading("Done")
    n.say("Steps 1-5, five failure cases and the hardened page. Browse /_emulator/ui/ for the\n"
          "journal, the rows and the warnings.")
