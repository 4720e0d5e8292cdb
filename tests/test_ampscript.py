"""Rendering AMPscript as ``TreatAsContent`` does (docs/fidelity.md#ampscript-embedding and the
rules after it)."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import assumptions
from emulator.ampscript import FUNCTIONS, AmpscriptContext, Variables, render, sign_jwt
from emulator.ampscript.functions import FunctionEntry
from emulator.ampscript.interpreter import Interpreter
from emulator.ampscript.parser import MAX_NESTING, parse
from emulator.script.clr import ARRAY_TEXT
from emulator.script.errors import AmpscriptError, FeatureNotEmulated
from emulator.script.undefined import UNDEFINED
from emulator.tokens import non_secret_key_warning, secret_payload_warning

SEED_BLOCK = "%%[SET @JWT = GetJWT(@Secret, 'HS256', @JSON)]%%"
PROBE_PAYLOAD = '{"sub":"probe","n":7}'
PROBE_TOKEN = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJwcm9iZSIsIm4iOjd9"
               ".308Bu1Ma_gFb0_8RNujndwB8xJh6n3myT7xZ3h7BNhE")


@pytest.fixture
def warnings_seen() -> list[str]:
    return []


@pytest.fixture
def ctx(warnings_seen: list[str]) -> AmpscriptContext:
    return AmpscriptContext(Variables(), warn=warnings_seen.append)


@pytest.mark.parametrize(("content", "expected"), [
    ("", ""),
    ("plain text, no AMPscript", "plain text, no AMPscript"),
    ("%%[ VAR @x SET @x = 'hello' ]%%%%=v(@x)=%%", "hello"),
    ("%%[ VAR @a, @b SET @a = 'A' SET @b = @a ]%%%%=Concat(@a, @b)=%%", "AA"),
    ("%%[SET @a = 1 SET @b = 2]%%%%=Concat(@a,@b)=%%", "12"),
    # nested calls
    ("%%=Concat(V(Concat('a', \"b\")), v(v('c')), 'd')=%%", "abcd"),
    # both quote styles; the delimiting quote doubles, the other needs no escape
    # (docs/fidelity.md#ampscript-literals)
    ("%%=v('Logan''s Car')=%%", "Logan's Car"),
    ('%%=v("Hello ""Logan""")=%%', 'Hello "Logan"'),
    ("%%=v('say \"hi\"')=%%", 'say "hi"'),
    ('%%=v("it\'s")=%%', "it's"),
    ("%%=v('')=%%%%=v(\"\")=%%", ""),
    ("%%=v('a\\nb\\')=%%", "a\\nb\\"),  # no backslash escapes
    ("%%=v('%%= ]%% =%%')=%%", "%%= ]%% =%%"),
    # text around AMPscript is kept byte for byte, CRLF and stray %% included; %%x%% is a
    # personalization string, empty without subscriber attributes
    # (docs/fidelity.md#ampscript-attributes)
    ("line1\r\n  <p>%%=v('x')=%%</p>\r\n\ttail 100%% ]%% =%% %%x%%\r\n",
     "line1\r\n  <p>x</p>\r\n\ttail 100%% ]%% =%% \r\n"),
    ("tail 100%% ]%% =%% %% x%% %%1%%\r\n", "tail 100%% ]%% =%% %% x%% %%1%%\r\n"),
    ("a%%[ SET @x = 1 ]%%b\r\n%%[ SET @y = 2 ]%%c", "ab\r\nc"),
    ("100%%%=v('x')=%%", "100%x"),
    # keywords, function and variable names are case-insensitive (docs/fidelity.md#ampscript-case)
    ("%%[ var @Name set @NAME = 'x' ]%%%%=V(@name)=%%%%=CONCAT(@nAmE)=%%%%=concat(@name)=%%",
     "xxx"),
    ("%%[ Set @x = 'y' ]%%%%=v(@X)=%%", "y"),
    # numbers and booleans render in their CLR text (docs/fidelity.md#ampscript-values)
    ("%%=v(42)=%%", "42"),
    ("%%=v(-7)=%%", "-7"),
    ("%%=v(-0)=%%", "0"),
    ("%%=v(3.14)=%%", "3.14"),
    ("%%=v(1.50)=%%", "1.5"),
    ("%%=v(.5)=%%", "0.5"),
    ("%%=v(0.1234567890123456789)=%%", "0.123456789012346"),
    ("%%=v(9223372036854775807)=%%", "9.22337203685478E+18"),
    ("%%=v(9223372036854775808)=%%", "0"),
    ("%%=v(-9223372036854775809)=%%", "0"),
    ("%%=v(" + "9" * 5000 + ")=%%", "0"),
    ("%%=v(TRUE)=%% %%=v(false)=%% %%=v(True)=%%", "True False True"),
    # Concat: null is empty, booleans are swallowed (docs/fidelity.md#ampscript-string-booleans),
    # numbers in CLR text
    ("%%=Concat(true, false, 'x')=%%", "x"),
    ("%%=Concat(1, 2.5, @unset, '-', 0.30000000000000004)=%%", "12.5-0.3"),
    # comments in blocks (docs/fidelity.md#ampscript-comments)
    ("%%[ /* note */ SET @x = 1 /* multi\r\nline */ ]%%%%=v(@x)=%%", "1"),
    # a never-set variable renders empty; VAR resets to null (docs/fidelity.md#ampscript-var-set)
    ("%%=v(@never)=%%", ""),
    ("%%[ SET @x = 1 VAR @x ]%%[%%=v(@x)=%%]", "[]"),
    # bare expressions as statements are ignored, a call statement runs silently
    # (docs/fidelity.md#ampscript-bare-statements)
    ("%%[ @x 'text' 5 true Concat('a') ]%%done", "done"),
    ("%%[]%%%%[ ]%%x", "x"),
])
def test_render(ctx: AmpscriptContext, content: str, expected: str) -> None:
    assert render(content, ctx) == expected


@pytest.mark.parametrize(("content", "name", "value"), [
    ("%%[ SET @n = 42 ]%%", "n", 42),
    ("%%[ SET @n = -1.5 ]%%", "@N", -1.5),
    ("%%[ SET @b = true ]%%", "b", True),
    ("%%[ SET @b = FALSE ]%%", "b", False),
    ("%%[ SET @s = '42' ]%%", "s", "42"),
    ("%%[ SET @s = Concat(4, 2) ]%%", "s", "42"),
    ("%%[ VAR @v ]%%", "v", None),
])
def test_set_keeps_value_types(ctx: AmpscriptContext, content: str, name: str,
                               value: Any) -> None:
    assert render(content, ctx) == ""
    assert ctx.variables.get(name) == value
    assert type(ctx.variables.get(name)) is type(value)


@pytest.mark.parametrize(("value", "text"), [
    ("hi", "hi"),
    (7, "7"),
    (2.5, "2.5"),
    (True, "True"),
    (None, ""),
    ({"a": 1}, assumptions.CLR_OBJECT_TEXT),
    ([1, 2], ARRAY_TEXT),
])
def test_python_set_variable_renders_in_ampscript(ctx: AmpscriptContext, value: Any,
                                                  text: str) -> None:
    ctx.variables.set("@Msg", value)
    assert render("%%=v(@msg)=%%", ctx) == text


def test_ampscript_set_variable_reads_in_python(ctx: AmpscriptContext) -> None:
    ctx.variables.set("obj", {"a": 1})
    render("%%[ SET @Out = 'x' SET @copy = @OBJ ]%%", ctx)
    assert ctx.variables.get("out") == "x"
    assert ctx.variables.get("@COPY") is ctx.variables.get("obj")


def test_seed_block_signs_the_token(ctx: AmpscriptContext, warnings_seen: list[str]) -> None:
    ctx.variables.set("Secret", "sfmc-probe-secret-2026")
    ctx.variables.set("JSON", PROBE_PAYLOAD)
    assert render(SEED_BLOCK, ctx) == ""
    assert ctx.variables.get("@JWT") == PROBE_TOKEN
    assert warnings_seen == []


@pytest.mark.parametrize(("key", "kind", "text"), [
    ({"Error": "Not Authorized"}, "an object", assumptions.CLR_OBJECT_TEXT),
    ([], "an array", ARRAY_TEXT),
    (12345, "a number", "12345"),
    (True, "a boolean", "True"),
])
def test_non_string_key_signs_its_clr_text_and_warns(
        ctx: AmpscriptContext, warnings_seen: list[str], key: Any, kind: str, text: str) -> None:
    ctx.variables.set("Secret", key)
    ctx.variables.set("JSON", PROBE_PAYLOAD)
    render(SEED_BLOCK, ctx)
    assert ctx.variables.get("JWT") == sign_jwt(text, "HS256", PROBE_PAYLOAD)
    assert warnings_seen == [non_secret_key_warning(kind, text)]


def test_secret_named_payload_field_warns(ctx: AmpscriptContext,
                                          warnings_seen: list[str]) -> None:
    payload = '{"client_id":"app","client_secret":"s3cr3t"}'
    ctx.variables.set("Secret", "signing-secret")
    ctx.variables.set("JSON", payload)
    render(SEED_BLOCK, ctx)
    assert ctx.variables.get("JWT") == sign_jwt("signing-secret", "HS256", payload)
    assert warnings_seen == [secret_payload_warning(payload)]
    assert "client_secret" in warnings_seen[0]


@pytest.mark.parametrize("key", [None, UNDEFINED, ""])
def test_null_or_empty_key_raises(ctx: AmpscriptContext, warnings_seen: list[str],
                                  key: Any) -> None:
    ctx.variables.set("Secret", key)
    ctx.variables.set("JSON", PROBE_PAYLOAD)
    with pytest.raises(AmpscriptError, match="Parameter Name: Key"):
        render(SEED_BLOCK, ctx)
    assert ctx.variables.get("JWT") is None
    assert warnings_seen == []


def test_bad_algorithm_raises_from_render(ctx: AmpscriptContext) -> None:
    with pytest.raises(AmpscriptError, match="Parameter Name: Algorithm"):
        render("%%=GetJWT('key', 'RS256', '{}')=%%", ctx)


def test_unknown_function_is_not_emulated(ctx: AmpscriptContext) -> None:
    with pytest.raises(FeatureNotEmulated) as raised:
        render("%%=HTTPPostWithRetry('https://example.org')=%%", ctx)
    error = raised.value
    assert isinstance(error, AmpscriptError)
    known = ", ".join(sorted((entry.name for entry in FUNCTIONS.values()), key=str.lower))
    assert error.message == assumptions.AMPSCRIPT_UNKNOWN_FUNCTION.format(
        name="HTTPPostWithRetry", known=known)
    assert all(entry.name in error.message for entry in FUNCTIONS.values())


@pytest.mark.parametrize(("content", "name", "given", "expected"), [
    ("%%=v()=%%", "V", 0, "1"),
    ("%%=V(1, 2)=%%", "V", 2, "1"),
    ("%%=Concat()=%%", "Concat", 0, "at least 1"),
    ("%%=GetJWT('k', 'HS256')=%%", "GetJWT", 2, "3"),
    ("%%[ SET @t = getjwt('k', 'HS256', '{}', 'x') ]%%", "GetJWT", 4, "3"),
    ("%%=v(Concat(v(1, 2)))=%%", "V", 2, "1"),
])
def test_wrong_argument_count(ctx: AmpscriptContext, content: str, name: str, given: int,
                              expected: str) -> None:
    with pytest.raises(AmpscriptError) as raised:
        render(content, ctx)
    assert raised.value.message == assumptions.AMPSCRIPT_ARG_COUNT.format(
        name=name, given=given, expected=expected)


def test_errors_are_found_before_anything_runs(ctx: AmpscriptContext) -> None:
    # The engine compiles the content first (docs/fidelity.md#ampscript-abort): an earlier SET does
    # not happen.
    with pytest.raises(AmpscriptError):
        render("%%[ SET @x = 'before' ]%% %%=v()=%%", ctx)
    assert ctx.variables.get("x") is None


@pytest.mark.parametrize(("content", "reason"), [
    ("%%=v('abc)=%%", "unterminated string at line 1, column 6"),
    ('%%[ SET @x = "abc ]%%', "unterminated string at line 1, column 14"),
    ("%%[ SET @x = 1 ", "%%[ is not closed with ]%% at line 1, column 1"),
    ("text\r\n%%= v(1) ", "%%= is not closed with =%% at line 2, column 1"),
    ("%%[ SET @x ]%%", "expected '=' after SET @x, found ']%%' at line 1, column 12"),
    ("one\n  %%[ SET @x 1 ]%%",
     "expected '=' after SET @x, found the number 1 at line 2, column 14"),
    ("%%[ SET x = 1 ]%%", "expected a variable (@name) after SET"),
    ("%%[ VAR ]%%", "expected a variable (@name) after VAR"),
    ("%%[ VAR @a, ]%%", "expected a variable (@name) after ','"),
    ("%%[ SET @x = ]%%", "expected a value, found ']%%'"),
    ("%%[ SET @x = 1 ) ]%%", "expected a value, found ')'"),
    ("%%[ SET @x = $ ]%%", "unexpected character '$'"),
    ("%%[ SET @x = @ ]%%", "unexpected character '@'"),
    ("%%[ SET @x = - 1 ]%%", "unexpected character '-'"),
    ("%%[ SET @x = 1 =%%", "unexpected '=%%' inside %%["),
    ("%%=v(1)]%%", "unexpected ']%%' inside %%="),
    ("%%[ /* open ]%%", "unterminated comment"),
    ("%%= /* c */ v(1) =%%", "comments are not allowed inside %%= =%%"),
    ("%%=v(1) v(2)=%%", "expected =%% after the expression, found 'v'"),
    ("%%= =%%", "expected a value, found '=%%'"),
    ("%%=v(1=%%", "expected ',' or ')' in the call to V, found '=%%'"),
    ("%%=v('a' 'b')=%%", "expected ',' or ')' in the call to V, found a string"),
    ("%%=v(1.2.3)=%%", "expected ',' or ')' in the call to V, found the number 0.3"),
    ("%%=Concat('a',)=%%", "expected a value, found ')'"),
    ("%%= VAR @x =%%", "unexpected keyword VAR"),
    ("%%= SET @x = 1 =%%", "unexpected keyword SET"),
    ("%%=true(1)=%%", "expected =%% after the expression, found '('"),
    ("%%[ SET @x = 'a' %%[ ]%%", "unexpected character '%'"),
])
def test_syntax_errors(ctx: AmpscriptContext, content: str, reason: str) -> None:
    with pytest.raises(AmpscriptError) as raised:
        render(content, ctx)
    assert not isinstance(raised.value, FeatureNotEmulated)
    assert raised.value.message.startswith(assumptions.AMPSCRIPT_SYNTAX.format(reason=""))
    assert reason in raised.value.message


@pytest.mark.parametrize(("content", "expected"), [
    ("%%[ SET @x = 1 IF @x == 1 THEN ]%%ok%%[ ENDIF ]%%", "ok"),
    ("%%[ FOR @i = 1 TO 3 DO ]%%x%%[ NEXT @i ]%%", "xxx"),
    ("%%=v(FirstName)=%%", "Ann"),
    ("%%=v([First Name])=%%", "Ann B"),
    ("%%[ SET @x = 1 junk ]%%", ""),
    ('<p>\n<script runat="server" language="AMPscript">SET @x = 1</script>%%=v(@x)=%%',
     "<p>\n1"),
])
def test_language_features_render(content: str, expected: str) -> None:
    # IF, FOR, attribute references and tag-based AMPscript are emulated
    # (docs/fidelity.md#ampscript-if, #ampscript-for, #ampscript-attributes).
    ctx = AmpscriptContext(Variables(), attributes={"FirstName": "Ann", "First Name": "Ann B"})
    assert render(content, ctx) == expected


def test_lazy_function_receives_unevaluated_arguments(ctx: AmpscriptContext) -> None:
    def first(run: Interpreter, chosen: Any, other: Any) -> Any:
        return run.evaluate(chosen)

    table = dict(FUNCTIONS, first=FunctionEntry("First", 2, 2, first, lazy=True))
    # The second argument would raise (empty key) if it were evaluated.
    program = parse("%%=First('kept', GetJWT('', 'HS256', '{}'))=%%", table)
    assert Interpreter(ctx).run(program) == "kept"


@pytest.mark.parametrize(("depth", "ok"), [(MAX_NESTING, True), (MAX_NESTING + 1, False),
                                           (10_000, False)])
def test_deep_call_nesting_is_bounded(ctx: AmpscriptContext, depth: int, ok: bool) -> None:
    content = "%%=" + "v(" * depth + "'deep'" + ")" * depth + "=%%"
    if ok:
        assert render(content, ctx) == "deep"
    else:
        with pytest.raises(AmpscriptError, match="nested deeper than"):
            render(content, ctx)


@pytest.mark.parametrize("content", [
    "%%=" + "(" * 10_000 + "1" + ")" * 10_000 + "=%%",
    "%%[ SET @x = " + "Concat(" * 10_000 + "]%%",
])
def test_deep_parentheses_give_a_clean_error(ctx: AmpscriptContext, content: str) -> None:
    with pytest.raises(AmpscriptError):
        render(content, ctx)


@pytest.mark.parametrize("content", [
    "plain text with CRLF\r\n" * 300_000,
    "%" * 5_000_000,
    "%%x]%% =%%" * 700_000,
    "<script " * 700_000,
    "%%=v('x')=%% " * 20_000 + "tail" * 1_000_000,
])
def test_huge_content_renders(ctx: AmpscriptContext, content: str) -> None:
    rendered = render(content, ctx)
    assert rendered == content.replace("%%=v('x')=%%", "x")


@pytest.mark.parametrize(("content", "message"), [
    ("%%[ SET @x = '" + "a" * 3_000_000, "unterminated string"),
    ("%%[ SET @x = '" + "''" * 1_000_000, "unterminated string"),
    ("%%[ /*" + " " * 3_000_000, "unterminated comment"),
])
def test_huge_unterminated_content_fails_cleanly(ctx: AmpscriptContext, content: str,
                                                 message: str) -> None:
    with pytest.raises(AmpscriptError, match=message):
        render(content, ctx)


def test_many_statements_run(ctx: AmpscriptContext) -> None:
    content = "%%[" + "".join(f"SET @v{i} = {i}\n" for i in range(50_000)) + "]%%"
    assert render(content, ctx) == ""
    assert ctx.variables.get("v49999") == 49_999


@pytest.mark.parametrize("name", ["x", "@x", "@X", "X"])
def test_variable_names_are_one_variable(name: str) -> None:
    variables = Variables()
    variables.set(name, "value")
    assert [variables.get(other) for other in ("x", "@x", "@X", "X")] == ["value"] * 4


@pytest.mark.parametrize("name", ["", "@", "a b", "@a-b", "a,b", "@@a", "é", " x", "x\n"])
def test_invalid_variable_names_are_rejected(name: str) -> None:
    variables = Variables()
    for use in (lambda: variables.set(name, 1), lambda: variables.get(name),
                lambda: variables.declare(name)):
        with pytest.raises(ValueError):
            use()


def test_variables_keep_values_as_given() -> None:
    variables = Variables()
    document = {"a": [1, 2]}
    variables.set("doc", document)
    variables.set("undef", UNDEFINED)
    variables.set("n", 42.5)
    assert variables.get("@DOC") is document
    assert variables.get("undef") is None
    assert variables.get("n") == 42.5
    assert variables.get("never") is None
    variables.declare("@N")
    assert variables.get("n") is None
