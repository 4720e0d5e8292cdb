"""AMPscript encoding, hashing, ids, URLEncode, RegExMatch and GetJWTByKeyName.

See docs/fidelity.md#base64, docs/fidelity.md#hashes.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from emulator.ampscript import AmpscriptContext, Variables, render, sign_jwt
from emulator.ampscript.keys import KeyStore, SigningKey
from emulator.clock import Clock
from emulator.script.errors import AmpscriptError, FeatureNotEmulated

GRUSS = "Grusß €ä"
KEY_42B = "oGbE/i+gRbdjSen3sVYES5DylJE760qsgNWI77UBUdM="
PAYLOAD_42B = '{"sub":"amp-verify","iat":"1700000000"}'


@pytest.fixture
def ctx() -> AmpscriptContext:
    keys = KeyStore([SigningKey("DemoSigningKey", "symmetric", KEY_42B, Path("k.json"))])
    context = AmpscriptContext(Variables(), clock=Clock(datetime(2026, 3, 4, tzinfo=timezone.utc)),
                               keys=keys)
    context.variables.set("gruss", GRUSS)
    return context


def ev(ctx: AmpscriptContext, expression: str) -> str:
    return render(f"%%={expression}=%%", ctx)


@pytest.mark.parametrize(("expression", "expected"), [
    ('Base64Encode("SFMC AMPscript 2026")', "U0ZNQyBBTVBzY3JpcHQgMjAyNg=="),
    ('Base64Encode("Man")', "TWFu"),
    ('Base64Encode("Ma")', "TWE="),
    ('Base64Encode("M")', "TQ=="),
    ('Base64Encode("café€")', "Y2Fmw6nigqw="),
    ('Base64Encode("")', ""),
    ('Base64Encode("café€","UTF-16")', "YwBhAGYA6QCsIA=="),
    ('Base64Encode("café€","utf-16be")', "AGMAYQBmAOkgrA=="),
    ('Base64Encode("café€","ASCII")', "Y2FmPz8="),
    ('Base64Encode("café€","ISO-8859-1")', "Y2Fm6T8="),
    ('Base64Encode("\U0001f600","ASCII")', "Pz8="),  # two UTF-16 units, two "?"
    ('Base64Decode("U0ZNQyBBTVBzY3JpcHQgMjAyNg==")', "SFMC AMPscript 2026"),
    ('Base64Decode("Y2Fmw6nigqw=")', "café€"),
    ('Base64Decode("YwBhAGYA6QCsIA==","UTF-16")', "café€"),
    ('Base64Decode("")', ""),
    ('Base64Decode("TWFu",  "UTF-8", 0)', "Man"),
    ('Base64Decode("TW Fu")', "Man"),
    ('Base64Decode("/w==")', "\ufffd"),  # not UTF-8: the replacement character
    ('MD5("Hash probe 2026")', "2bfdbd320b3b56c0d8c4be16462a96b7"),
    ('MD5("")', "d41d8cd98f00b204e9800998ecf8427e"),
    ("MD5(2026)", "c92a10324374fac681719d63979d00fe"),
    ("MD5(@gruss)", "45e83c6ea8202aae452acf5f61f0d660"),
    ('MD5(@gruss,"UTF-16")', "75300cf3b34da08a0cfd6958b26e1bae"),
    ('MD5(@gruss,"ascii")', "1a7a47e1752ce663f442793ac4b38476"),
    ('SHA1("Hash probe 2026")', "20903bc0c930c22be005bfb1ede7db6722452ee7"),
    ('SHA1("")', "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    # The published SHA1/SHA256 UTF-16 digests of this text match no UTF-16 form of it (MD5's and
    # SHA512's UTF-16 digests match UTF-16-LE without BOM), so those two vectors are left out.
    ("SHA1(@gruss)", "57418a4484a6e50107c9c73d57333982344f4ebd"),
    ('SHA1(@gruss,"ASCII")', "601fc90e786918f662cece34acf5cdb0b1f8fade"),
    ('SHA256("Hash probe 2026")',
     "eacf88b0a0a8cad1b297c2ea16f0f375482481160be05b72372056503824cf02"),
    ("SHA256(@gruss)", "eae41ff0f6fc4b2347b9a39213e5149c2730b90296234396f0ae8b961732bfec"),
    ('SHA256(@gruss,"ASCII")',
     "0bc518904f83efa53ddaa8caaa94f53429e9913cc9b9248f0658f64a7632234f"),
    ('URLEncode("spring sale")', "spring sale"),
    ('URLEncode("https://example.org/go?promo=spring sale&tags=a,b")',
     "https://example.org/go?promo=spring%20sale&tags=a,b"),
    ('URLEncode("https://example.org/go?promo=spring sale&tags=a,b",1)',
     "https://example.org/go?promo%3dspring+sale%26tags%3da%2cb"),
    ('URLEncode("https://example.org/a b")', "https://example.org/a b"),
    ('URLEncode("spring sale",0,1)', "spring%20sale"),
    ('URLEncode("spring sale",1,1)', "spring+sale"),
    ('URLEncode("spring sale","true","1")', "spring+sale"),
    ('URLEncode("spring sale",2,2)', "spring sale"),
    ('URLEncode("x é",1,1)', "x+%c3%a9"),
    ('RegExMatch("order-4821-eu","[0-9]+",0)', "4821"),
    ('RegExMatch("order-4821-eu","order-([0-9]+)-([a-z]+)",2)', "eu"),
    ('RegExMatch("order-4821-eu","order-([0-9]+)-([a-z]+)","1")', "4821"),
    ('RegExMatch("a1 b2 c3","[a-z][0-9]",0)', "a1"),
    ('RegExMatch("ORDER-4821","order",0)', ""),
    ('RegExMatch("ORDER-4821","order",0,"IgnoreCase")', "ORDER"),
    ('RegExMatch("ORDER-4821","order",0,"ignorecase","Multiline")', "ORDER"),
    ('RegExMatch("order-4821","(?<num>[0-9]+)","num")', "4821"),
    ("RegExMatch(\"order-4821\",\"(?'num'[0-9]+)\",\"num\")", "4821"),
    ('RegExMatch("abab","(?<x>ab)\\k<x>",0)', "abab"),
    ('RegExMatch("order-4821","([0-9]+)",5)', ""),
    ('RegExMatch("order-4821","([0-9]+)","nope")', ""),
    ('RegExMatch("","x",0)', ""),
    ('RegExMatch("12345","^\\d+$",0)', "12345"),
    ('RegExMatch("abc123","^\\d+$",0)', ""),
])
def test_encoding_vectors(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


def test_sha512_vectors(ctx: AmpscriptContext) -> None:
    assert ev(ctx, "SHA512(@gruss)").startswith("cf46d118822edbf2")
    assert ev(ctx, 'SHA512(@gruss,"UTF-16")').startswith("133c85ecdfdec3f5")
    assert ev(ctx, 'SHA512(@gruss,"ASCII")').startswith("b809a01fcb5e6b07")
    assert ev(ctx, 'SHA512("")').startswith("cf83e1357eefb8bd")
    assert len(ev(ctx, 'SHA512("x")')) == 128


@pytest.mark.parametrize(("expression", "parameter"), [
    # invalid Base64 aborts (RT), missing padding included
    ('Base64Decode("not!base64###")', "String"),
    ('Base64Decode("SGVsbG8")', "String"),
    ('Base64Decode("SGVsbG8=====")', "String"),
    ('Base64Decode("=SGVsbG8")', "String"),
    # unknown charsets abort (RT)
    ('Base64Encode("x","banana")', "Encoding"),
    ('Base64Encode("x","")', "Encoding"),
    ('Base64Decode("TWFu","UTF8")', "Encoding"),
    ('MD5("x","UTF8")', "Charset"),
    ('SHA1("x","banana")', "Charset"),
    ('SHA256("x","")', "Charset"),
    ('SHA512("x",1)', "Charset"),
    # regexes that do not compile, unknown options
    ('RegExMatch("abc","(unclosed",0)', "Pattern"),
    ('RegExMatch("abc","[z-a]",0)', "Pattern"),
    ('RegExMatch("abc","(?<=a+)b",0)', "Pattern"),  # variable-length lookbehind
    ('RegExMatch("abc","a",0,"Banana")', "Option"),
    ('RegExMatch("abc","a",true)', "Group"),
])
def test_encoding_errors(ctx: AmpscriptContext, expression: str, parameter: str) -> None:
    with pytest.raises(AmpscriptError, match=f"Parameter Name: {parameter} "):
        ev(ctx, expression)


@pytest.mark.parametrize("expression", [
    'RegExMatch("abc","a",0,"RightToLeft")',
    'RegExMatch("abc","[a-z-[b]]",0)',
])
def test_unemulated_regex_features_say_so(ctx: AmpscriptContext, expression: str) -> None:
    with pytest.raises(FeatureNotEmulated):
        ev(ctx, expression)


def test_guid_is_lower_case_and_new_each_call() -> None:
    ctx = AmpscriptContext(Variables())
    first, second = ev(ctx, "GUID()"), ev(ctx, "GUID()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", first)
    assert first != second


def test_guid_follows_a_frozen_clock() -> None:
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    runs = [ev(AmpscriptContext(Variables(), clock=Clock(moment)), "GUID()") for _ in range(2)]
    assert runs[0] == runs[1]


def test_get_jwt_by_key_name_signs_with_the_stored_string(ctx: AmpscriptContext) -> None:
    # The key string's UTF-8 bytes, not its Base64 decoding (docs/fidelity.md#getjwt-key).
    ctx.variables.set("payload", PAYLOAD_42B)
    token = ev(ctx, "GetJWTByKeyName('demosigningkey', 'hs256', @payload)")
    assert token.split(".")[2] == "iC2IjXWi2m7E65Zp7BveyIXQY3uFbHaz1GUEcraTDhI"
    assert token == ev(ctx, f"GetJWT('{KEY_42B}', 'HS256', @payload)")
    assert token == sign_jwt(KEY_42B, "HS256", PAYLOAD_42B)


def test_get_jwt_by_key_name_warns_about_secret_payload_fields() -> None:
    seen: list[str] = []
    keys = KeyStore([SigningKey("K", "symmetric", "secret-value", Path("K.json"))])
    ctx = AmpscriptContext(Variables(), warn=seen.append, keys=keys)
    ev(ctx, "GetJWTByKeyName('K', 'HS256', '{\"password\":\"x\"}')")
    assert len(seen) == 1 and "password" in seen[0]


@pytest.mark.parametrize(("expression", "message"), [
    ("GetJWTByKeyName('NoSuchKey', 'HS256', '{}')", "no key with the external key NoSuchKey"),
    ("GetJWTByKeyName('', 'HS256', '{}')", "no key with the external key"),
    ("GetJWTByKeyName('DemoSigningKey', 'RS256', '{}')",
     "Function Name: GetJWTByKeyName Parameter Name: Algorithm"),
])
def test_get_jwt_by_key_name_errors(ctx: AmpscriptContext, expression: str,
                                    message: str) -> None:
    with pytest.raises(AmpscriptError, match=message):
        ev(ctx, expression)


def test_unknown_key_lists_the_key_names_never_values(ctx: AmpscriptContext) -> None:
    with pytest.raises(AmpscriptError) as raised:
        ev(ctx, "GetJWTByKeyName('Other', 'HS256', '{}')")
    assert "DemoSigningKey" in raised.value.message and KEY_42B not in raised.value.message
