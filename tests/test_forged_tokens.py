"""A table of forged and broken tokens: every one refused with the error body, never a 500."""

from __future__ import annotations

import json

import pytest
from conftest import DEMO
from test_api_page import b64url, claims, forge

from emulator.runtime import get_emulator

GOOD = forge(claims())
H, P, S = GOOD.split(".")
NONE_HEADER = b64url(b'{"alg":"none","typ":"JWT"}')


def seg(text: str | bytes) -> str:
    return b64url(text.encode("utf-8") if isinstance(text, str) else text)


CORPUS: dict[str, str] = {
    "two tokens in one header": f"Bearer {GOOD} {GOOD}",
    "two tokens joined by a comma": f"Bearer {GOOD},{GOOD}",
    "two Bearer credentials": f"Bearer {GOOD}, Bearer {GOOD}",
    "scheme only": "Bearer",
    "token without scheme": GOOD,
    "Basic scheme": f"Basic {GOOD}",
    "scheme glued to the token": f"Bearer{GOOD}",
    "two segments": f"Bearer {H}.{P}",
    "four segments": f"Bearer {GOOD}.{S}",
    "empty signature": f"Bearer {H}.{P}.",
    "empty payload": f"Bearer {H}..{S}",
    "only dots": "Bearer ..",
    "padded payload": f"Bearer {H}.{P}==.{S}",
    "standard Base64 characters": f"Bearer {H}.{P}+/.{S}",
    "invalid characters": f"Bearer {H}.{P}$%.{S}",
    "non-ASCII characters": f"Bearer {H}.{P}é.{S}",
    "segment of impossible length": f"Bearer {H}.{P}A.{S}" if len(P) % 4 == 0 else
                                    f"Bearer {H}.A.{S}",
    "huge token": "Bearer " + forge(claims(pad="x" * 20000)),
    "non-JSON payload": "Bearer " + forge("hello world"),
    "JSON array payload": "Bearer " + forge('[{"client_id":"demo-client"}]'),
    "JSON string payload": "Bearer " + forge('"demo-client"'),
    "invalid UTF-8 payload": "Bearer " + forge(b'{"client_id":"demo-client","x":"\xff"}'),
    "non-JSON header": f"Bearer {seg('HS256')}.{P}.{S}",
    "header without alg": "Bearer " + forge(claims(), header=b'{"typ":"JWT"}'),
    "alg none, no signature": f"Bearer {NONE_HEADER}.{P}.",
    "alg none, copied signature": f"Bearer {NONE_HEADER}.{P}.{S}",
    "alg lowercase hs256": "Bearer " + forge(claims(), header=b'{"alg":"hs256","typ":"JWT"}'),
    "alg RS256": "Bearer " + forge(claims(), header=b'{"alg":"RS256","typ":"JWT"}'),
    "alg not a string": "Bearer " + forge(claims(), header=b'{"alg":256,"typ":"JWT"}'),
    "header with spaces": "Bearer " + forge(claims(),
                                            header=b'{"alg": "HS256", "typ": "JWT"}'),
    "header typ first": "Bearer " + forge(claims(), header=b'{"typ":"JWT","alg":"HS256"}'),
    "header swapped to HS512 keeping the HS256 signature": (
        "Bearer " + seg('{"alg":"HS512","typ":"JWT"}') + f".{P}.{S}"),
    "client_id a number": "Bearer " + forge('{"client_id":42}'),
    "client_id an array": "Bearer " + forge('{"client_id":["demo-client"]}'),
    "client_id an object": "Bearer " + forge('{"client_id":{"$ne":""}}'),
    "client_id null": "Bearer " + forge('{"client_id":null}'),
    "client_id true": "Bearer " + forge('{"client_id":true}'),
    "client_id empty": "Bearer " + forge('{"client_id":""}'),
    "no client_id": "Bearer " + forge('{"sub":"demo-client"}'),
    "unknown client": "Bearer " + forge(claims(client_id="ghost")),
    "client_id with a wildcard": "Bearer " + forge('{"client_id":"demo%"}'),
    "signed with the client secret": "Bearer " + forge(claims(), key=DEMO["client_secret"]),
    "signed with an empty-looking key": "Bearer " + forge(claims(), key=" "),
    "signed with the CLR error-object text": "Bearer " + forge(
        claims(), key="System.Collections.Generic.Dictionary`2[System.String,System.Object]"),
    "payload tampered after signing": f"Bearer {H}.{seg(claims(role='admin'))}.{S}",
    "signature of another payload": f"Bearer {H}.{P}.{forge(claims(x=1)).split('.')[2]}",
    "signature truncated": f"Bearer {H}.{P}.{S[:-4]}",
    "signature doubled": f"Bearer {H}.{P}.{S}{S}",
    "expired": "Bearer " + forge(claims(exp=1)),
    "exp as text": "Bearer " + forge(claims(exp="4102444800")),
    "exp null": "Bearer " + forge(claims(exp=None)),
    "lenient payload with a duplicate client_id": "Bearer " + forge(
        '{"client_id":"demo-client","client_id":"ghost"}', key="guess"),
    "control characters": "Bearer " + GOOD[:10] + "\x01" + GOOD[10:],
}


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("authorization", CORPUS.values(), ids=list(CORPUS))
def test_every_forged_token_is_refused(memory_app, authorization):
    client = memory_app.test_client()
    response = client.get("/api", headers={"Authorization": authorization})
    assert response.status_code == 200
    answer = json.loads(response.data)
    assert list(answer) == ["Error"] and isinstance(answer["Error"], str) and answer["Error"]
    assert response.data == b'{"Error":"' + answer["Error"].encode() + b'"}'
    entry = get_emulator(memory_app).journal.entries()[0]
    assert entry.error is None  # nothing escaped the page


def test_the_good_token_of_the_corpus_passes(memory_app):
    response = memory_app.test_client().get("/api", headers={"Authorization": "Bearer " + GOOD})
    assert json.loads(response.data)["verified"] is True
