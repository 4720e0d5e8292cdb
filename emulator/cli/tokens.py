"""``mcemu demo`` and ``mcemu jwt decode``. Exit codes: 0 ok, 1 refused, 2 usage."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any

import click

from emulator.cli.options import (
    choose_target,
    given_on_command_line,
    make_admin_token_option,
    make_db_option,
    make_fixtures_option,
    make_url_option,
    mcemu_option,
)
from emulator.errors import ConfigError


@click.command(short_help="Narrate the token flow, step by step.")
@make_url_option(help="Run against this emulator (default: one started in this process).")
@mcemu_option("--step", is_flag=True, help="Pause between steps (on a terminal).")
@mcemu_option("--client-id", metavar="ID", default="demo-client", show_default=True,
              help="The app's client_id.")
@mcemu_option("--client-secret", metavar="SECRET", default="demo-secret", show_default=True,
              help="The app's client_secret.")
@make_admin_token_option(help="The --url emulator's admin token, if it has one.")
@mcemu_option("--color/--no-color", default=None,
              help="Force colour on or off (default: colour on a terminal only).")
def demo(url: str | None, step: bool, client_id: str, client_secret: str,
         admin_token: str | None, color: bool | None) -> None:
    """Narrate the token flow: steps 1-5, what goes wrong, the fix.

    The --client-id must be an app of the emulator's AppCredentials: an unknown one is reported,
    with the clients there, before any step runs. Exit codes: 0 the demo ran to the end, 1 the
    client is unknown, 2 usage error (such as no emulator at --url).
    """
    from emulator.cli.demo import DemoClient, Narrator, UnknownClient, run_demo
    from emulator.cli.keys import secret_from_url
    from emulator.cli.remote import RemoteRefused
    from emulator.testing import LiveServer

    server = None if url else LiveServer().start()
    target = url or server.url  # type: ignore[union-attr]
    where = url or "the emulator in this process (the default fixtures)"
    try:
        try:
            signing_secret = secret_from_url(target, client_id, admin_token)
        except (ConfigError, RemoteRefused):  # no such row, or no AppCredentials DE at all
            raise UnknownClient.at(target, where, client_id, admin_token) from None
        narrator = Narrator(color=color, step=step)
        narrator.say(f"mc-emulator demo against {url or 'an emulator in this process'}")
        run_demo(DemoClient(target, admin_token), narrator, client_id, client_secret,
                 signing_secret)
    finally:
        if server is not None:
            server.stop()


@click.group("jwt", short_help="Decode and verify JSON Web Tokens.")
def jwt_group() -> None:
    """Work with JSON Web Tokens."""


@jwt_group.command("decode", short_help="Show a token's parts and whether it verifies.")
@click.argument("token")
@mcemu_option("--secret", metavar="S", help="Verify with this signing secret.")
@mcemu_option("--client-id", metavar="ID",
              help="Verify with this app's signing_secret from --db, --url or the fixtures.")
@make_db_option(help="Find --client-id in this TinyDB file.")
@make_url_option(help="Find --client-id through this running emulator's admin API.")
@make_fixtures_option(help="Find --client-id in these fixtures, over the defaults "
                           "(repeatable).")
@make_admin_token_option(help="The --url emulator's admin token, if it has one.")
@mcemu_option("--json", "as_json", is_flag=True,
              help="Print one JSON object: header, payload, payload_text, signature, alg, "
                   "expires, warnings, verified, reason.")
def decode(token: str, secret: str | None, client_id: str | None, db: str | None,
           url: str | None, fixtures: tuple[str, ...], admin_token: str | None,
           as_json: bool) -> None:
    """Show a token's header, payload and signature, and whether it verifies.

    TOKEN '-' reads the token from standard input. Exit codes: 0 shown (and verified, when a
    key is given), 1 the signature does not verify, 2 a malformed token or usage error.
    """
    from emulator import tokens

    if token == "-":
        token = sys.stdin.read().strip()
        if not token:
            raise click.UsageError("TOKEN '-': standard input is empty")
    secret, client_id = _one_key(secret, client_id)
    if client_id is None and (given_on_command_line("db") or given_on_command_line("url")):
        raise click.UsageError("--db and --url find the secret of --client-id; give it")
    try:
        decoded = tokens.decode(token)
    except tokens.MalformedToken as error:
        raise ConfigError(f"malformed token: {error.message}") from None
    if client_id is not None:
        secret = _find_secret(client_id, db, url, fixtures, admin_token)
    result = None if secret is None else tokens.verify(decoded, secret)
    if as_json:
        click.echo(_json_text(_as_json(decoded, result)))
    else:
        _show(decoded, result)
    if result is not None and not result.verified:
        click.get_current_context().exit(1)


def _one_key(secret: str | None, client_id: str | None) -> tuple[str | None, str | None]:
    """Return (secret, client_id) with one of them at most; a typed one beats a variable."""
    if secret is None or client_id is None:
        return secret, client_id
    typed = [given_on_command_line("secret"), given_on_command_line("client_id")]
    if typed == [True, False]:
        return secret, None
    if typed == [False, True]:
        return None, client_id
    raise click.UsageError("give --secret or --client-id, not both")


def _warnings(decoded: Any) -> list[str]:
    from emulator.tokens import issued_token_warnings, secret_payload_warning

    answer = json.dumps({"access_token": decoded.token})
    return [warning for warning in [secret_payload_warning(decoded.payload_text),
                                    *issued_token_warnings(answer)] if warning]


def _exp(decoded: Any) -> Any:
    payload = decoded.payload
    return payload.get("exp") if isinstance(payload, dict) else None


def _show(decoded: Any, result: Any) -> None:
    from emulator import tokens

    payload = decoded.payload_text
    if decoded.payload is None:
        payload += "  (not JSON; SFMC signs any text)"
    click.echo(f"Header:    {decoded.header_text}")
    click.echo(f"Payload:   {payload}")
    click.echo(f"Signature: {decoded.token.rsplit('.', 1)[1]} ({len(decoded.signature)} bytes)")
    if _exp(decoded) is not None:
        click.echo(f"Expires:   {tokens.expiry_text(_exp(decoded))}")
    for warning in _warnings(decoded):
        click.echo(f"Warning:   {warning}")
    if result is None:
        click.echo("Verified:  not checked (give --secret S or --client-id ID)")
        return
    how = " (PyJWT refuses PEM-looking keys: checked with hmac)" if result.method == "hmac" else ""
    click.echo(f"Verified:  {'yes' if result.verified else 'no'}: {result.reason}{how}")


def _json_text(document: dict[str, Any]) -> str:
    """Return ``document`` as JSON text: readable characters, and escapes for lone surrogates.

    A payload may carry ``"\\ud800"``, valid JSON that no UTF-8 output can print as a character.
    """
    text = json.dumps(document, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(document)
    return text


def _as_json(decoded: Any, result: Any) -> dict[str, Any]:
    """Return the machine-readable result of ``--json``."""
    return {
        "header": decoded.header,
        "payload": decoded.payload,
        "payload_text": decoded.payload_text,
        "signature": decoded.token.rsplit(".", 1)[1],
        "alg": decoded.header.get("alg"),
        "expires": _iso_time(_exp(decoded)),
        "warnings": _warnings(decoded),
        "verified": None if result is None else result.verified,
        "reason": None if result is None else result.reason,
    }


def _iso_time(exp: Any) -> str | None:
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(exp, timezone.utc).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None


def _find_secret(client_id: str, db: str | None, url: str | None,
                 fixtures: tuple[str, ...], admin_token: str | None) -> str:
    from emulator.cli import keys

    if db and url:
        db, url = choose_target(db, url)
    if url:
        return keys.secret_from_url(url, client_id, admin_token)
    if db:
        return keys.secret_from_db(db, client_id)
    return keys.secret_from_fixtures(fixtures, client_id)
