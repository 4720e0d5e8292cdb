"""``mcemu demo`` and ``mcemu jwt decode`` (issue 7). Exit codes: 0 ok, 1 refused, 2 usage."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from emulator.errors import EmulatorError


class _PathList(click.Path):
    envvar_list_splitter = os.pathsep


@click.command()
@click.option("--url", envvar="MCEMU_URL", metavar="URL",
              help="Run against this emulator (default: one started in this process).")
@click.option("--step", is_flag=True, help="Pause between steps (on a terminal).")
@click.option("--client-id", default="demo-client", show_default=True,
              envvar="MCEMU_CLIENT_ID", help="The app's client_id.")
@click.option("--client-secret", default="demo-secret", show_default=True,
              envvar="MCEMU_CLIENT_SECRET", help="The app's client_secret.")
@click.option("--admin-token", envvar="MCEMU_ADMIN_TOKEN", metavar="TOKEN",
              help="The --url emulator's admin token, if it has one.")
@click.option("--color/--no-color", default=None,
              help="Force colour on or off (default: colour on a terminal only).")
def demo(url: str | None, step: bool, client_id: str, client_secret: str,
         admin_token: str | None, color: bool | None) -> None:
    """Narrate the token flow: steps 1-5, what goes wrong, the fix."""
    from emulator.cli.demo import DemoClient, Narrator, run_demo
    from emulator.cli.keys import secret_from_url
    from emulator.cli.remote import RemoteUnavailable
    from emulator.testing import LiveServer

    server = None if url else LiveServer().start()
    target = url or server.url  # type: ignore[union-attr]
    try:
        try:
            signing_secret: str | None = secret_from_url(target, client_id, admin_token)
        except RemoteUnavailable as error:
            raise click.UsageError(error.message) from None
        except EmulatorError:
            signing_secret = None
        narrator = Narrator(color=color, step=step)
        where = "an emulator in this process" if server else target
        narrator.say(f"mc-emulator demo against {where}")
        run_demo(DemoClient(target, admin_token), narrator, client_id, client_secret,
                 signing_secret)
    finally:
        if server is not None:
            server.stop()


@click.group("jwt")
def jwt_group() -> None:
    """Work with JSON Web Tokens."""


@jwt_group.command("decode")
@click.argument("token")
@click.option("--secret", metavar="S", help="Verify with this signing secret.")
@click.option("--client-id", metavar="ID",
              help="Verify with this app's signing_secret from --db, --url or the fixtures.")
@click.option("--db", envvar="MCEMU_DB", type=click.Path(dir_okay=False),
              help="Find --client-id in this TinyDB file.")
@click.option("--url", envvar="MCEMU_URL", metavar="URL",
              help="Find --client-id through this running emulator's admin API.")
@click.option("--fixtures", "fixtures", multiple=True, envvar="MCEMU_FIXTURES",
              type=_PathList(exists=True, file_okay=False),
              help="Find --client-id in these fixtures, over the defaults (repeatable).")
@click.option("--admin-token", envvar="MCEMU_ADMIN_TOKEN", metavar="TOKEN",
              help="The --url emulator's admin token, if it has one.")
def decode(token: str, secret: str | None, client_id: str | None, db: str | None,
           url: str | None, fixtures: tuple[str, ...], admin_token: str | None) -> None:
    """Show a token's header, payload and signature, and whether it verifies."""
    from emulator import tokens
    from emulator.tokens import issued_token_warnings, secret_payload_warning

    if secret is not None and client_id is not None:
        raise click.UsageError("give --secret or --client-id, not both")
    if client_id is None and (db or url):
        raise click.UsageError("--db and --url find the secret of --client-id; give it")
    if db and url:
        raise click.UsageError("give either --db FILE or --url URL, not both")
    try:
        decoded = tokens.decode(token)
    except tokens.MalformedToken as error:
        click.echo(f"Error: malformed token: {error.message}", err=True)
        sys.exit(2)
    click.echo(f"Header:    {decoded.header_text}")
    click.echo(f"Payload:   {_pretty(decoded)}")
    click.echo(f"Signature: {decoded.token.rsplit('.', 1)[1]} ({len(decoded.signature)} bytes)")
    if isinstance(decoded.payload, dict) and "exp" in decoded.payload:
        click.echo(f"Expires:   {tokens.expiry_text(decoded.payload['exp'])}")
    answer = json.dumps({"access_token": decoded.token})
    for warning in filter(None, [secret_payload_warning(decoded.payload_text),
                                 *issued_token_warnings(answer)]):
        click.echo(f"Warning:   {warning}")
    if client_id is not None:
        secret = _find_secret(client_id, db, url, fixtures, admin_token)
    if secret is None:
        click.echo("Verified:  not checked (give --secret S or --client-id ID)")
        return
    result = tokens.verify(decoded, secret)
    how = " (PyJWT refuses PEM-looking keys: checked with hmac)" if result.method == "hmac" else ""
    click.echo(f"Verified:  {'yes' if result.verified else 'no'}: {result.reason}{how}")
    sys.exit(0 if result.verified else 1)


def _pretty(decoded: Any) -> str:
    if decoded.payload is None:
        return f"{decoded.payload_text}  (not JSON; SFMC signs any text)"
    return decoded.payload_text


def _find_secret(client_id: str, db: str | None, url: str | None,
                 fixtures: tuple[str, ...], admin_token: str | None) -> str:
    from emulator.cli import keys

    try:
        if url:
            return keys.secret_from_url(url, client_id, admin_token)
        if db:
            return keys.secret_from_db(db, client_id)
        return keys.secret_from_fixtures(fixtures, client_id)
    except EmulatorError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2)
