"""The AMPscript language: IF, FOR, conditions, attributes, output rules and their errors.

Rules: docs/fidelity.md#ampscript-if, #ampscript-conditions, #ampscript-compare,
#ampscript-truth, #ampscript-for, #ampscript-attributes, #ampscript-unknown-function.
"""

from __future__ import annotations

from typing import Any

import pytest

from emulator import assumptions
from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.ampscript.interpreter import FOR_MAX_ITERATIONS, compile_cached
from emulator.ampscript.parser import For, If, Output, Text, compile_content
from emulator.script.budget import PageBudget, PageTimeUp
from emulator.script.errors import AmpscriptError, FeatureNotEmulated


def run(content: str, attributes: dict[str, Any] | None = None,
        budget: PageBudget | None = None, **variables: Any) -> str:
    ctx = AmpscriptContext(Variables(budget), attributes=attributes)
    if budget is not None:
        ctx.budget = budget
    for name, value in variables.items():
        ctx.variables.set(name, value)
    return render(content, ctx)


def failure(content: str, **kwargs: Any) -> AmpscriptError:
    with pytest.raises(AmpscriptError) as raised:
        run(content, **kwargs)
    return raised.value


# --- Programs --------------------------------------------------------------------------------

GRADES = """%%[
  IF @score >= 90 THEN
    SET @grade = 'A'
  ELSEIF @score >= 75 THEN
    SET @grade = 'B'
  ELSEIF @score >= 50 THEN
    SET @grade = 'C'
  ELSE
    SET @grade = 'F'
  ENDIF
]%%<b>%%=v(@grade)=%%</b>"""


@pytest.mark.parametrize(("score", "grade"), [
    (95, "A"), (90, "A"), ("80", "B"), (75, "B"), (60.5, "C"), (10, "F"),
    ("", "F"),  # text that is no number counts as 0 beside a number
    (None, "F"),  # null >= a value never holds
])
def test_an_if_chain_picks_one_branch(score: Any, grade: str) -> None:
    assert run(GRADES, score=score) == f"<b>{grade}</b>"


def test_text_between_blocks_belongs_to_the_branch() -> None:
    page = ("<ul>%%[ IF @vip THEN ]%%<li>gold</li>%%[ ELSEIF @n > 1 THEN ]%%"
            "<li>%%=v(@n)=%% items</li>%%[ ELSE ]%%<li>none</li>%%[ ENDIF ]%%</ul>")
    assert run(page, vip=True, n=5) == "<ul><li>gold</li></ul>"
    assert run(page, vip=False, n=5) == "<ul><li>5 items</li></ul>"
    assert run(page, vip=False, n=0) == "<ul><li>none</li></ul>"
    # unset: null is a false condition, but null > 1 holds (null against a value: <, >, !=)
    assert run(page) == "<ul><li> items</li></ul>"


def test_nested_ifs_and_loops_repeat_their_text() -> None:
    page = ("%%[ FOR @row = 1 TO 3 DO ]%%<tr>"
            "%%[ FOR @col = 1 TO @row DO IF @col == @row THEN ]%%<td>*</td>"
            "%%[ ELSE ]%%<td>%%=v(@col)=%%</td>%%[ ENDIF NEXT @col ]%%</tr>\n"
            "%%[ NEXT @row ]%%done")
    assert run(page) == ("<tr><td>*</td></tr>\n<tr><td>1</td><td>*</td></tr>\n"
                         "<tr><td>1</td><td>2</td><td>*</td></tr>\n"
                         "done")


@pytest.mark.parametrize(("content", "expected"), [
    ("%%[ FOR @i = 1 TO 10 DO Output(V(@i)) NEXT @i ]%%", "12345678910"),
    ("%%[ for @i = 3 downto 1 do Output(Concat(@i, ',')) next ]%%", "3,2,1,"),
    ("%%[ FOR @i = 1 TO 0 DO Output(V(@i)) NEXT ]%%[%%=v(@i)=%%]", "[1]"),
    ("%%[ FOR @i = 5 DOWNTO 6 DO Output(V(@i)) NEXT ]%%", ""),
    ("%%[ FOR @i = '2' TO ' 4 ' DO Output(V(@i)) NEXT ]%%", "234"),
    ("%%[ FOR @i = 1.0 TO 2 DO Output(V(@i)) NEXT ]%%", "12"),
    # the counter after the loop is one past the end
    ("%%[ FOR @i = 1 TO 3 DO NEXT @i ]%%%%=v(@i)=%%", "4"),
    # the body may move the counter: setting it to the end leaves the loop
    ("%%[ FOR @i = 1 TO 1000000 DO Output(V(@i)) IF @i == 3 THEN SET @i = 1000000 ENDIF "
     "NEXT @i ]%%", "123"),
    # the end is read once
    ("%%[ SET @n = 3 FOR @i = 1 TO @n DO SET @n = 10 Output(V(@i)) NEXT ]%%", "123"),
    ("%%[ FOR @i = -2 TO 2 DO Output(V(@i)) NEXT ]%%", "-2-1012"),
])
def test_for_loops(content: str, expected: str) -> None:
    assert run(content) == expected


@pytest.mark.parametrize(("content", "expected"), [
    # only function calls print in a block; inline prints its expression
    ("%%[ 'bare' @v 42 Output('x') Output(@v) Output(v(@v)) ]%%", "hi"),
    ("%%[ OutputLine(Concat('a'), 'dropped', v(@v)) ]%%", "ahi\r\n"),
    ("%%=v(@v)=%%|%%=@v=%%|%%='lit'=%%|%%=7=%%", "hi|hi|lit|7"),
    # a comparison is an expression and renders as a boolean
    ("%%=v(1 < 2)=%% %%=v(@v == 'HI')=%% %%=IIf(@v != 'hi', 'y', 'n')=%%", "True True n"),
    ("%%[ SET @b = @v == 'hi' ]%%%%=v(@b)=%%", "True"),
])
def test_output_rules(content: str, expected: str) -> None:
    assert run(content, v="hi") == expected


@pytest.mark.parametrize(("condition", "expected"), [
    # AND and OR share one precedence, left to right
    ("true OR false AND false", False),
    ("true OR (false AND false)", True),
    ("false AND false OR true", True),
    # NOT negates everything to its right
    ("NOT false AND false", True),
    ("NOT (false) AND false", True),
    ("(NOT false) AND false", False),
    ("NOT 1 == 2", True),
    ("not not true", True),
    # comparisons bind tighter than AND/OR; relational tighter than ==
    ("1 < 2 AND 'a' == 'A'", True),
    ("1 < 2 == true", True),
    ("(((1 < 2)))", True),
])
def test_condition_precedence(condition: str, expected: bool) -> None:
    content = f"%%[ IF {condition} THEN ]%%yes%%[ ELSE ]%%no%%[ ENDIF ]%%"
    assert run(content) == ("yes" if expected else "no")


def test_and_or_stop_early() -> None:
    # RaiseError would abort the page if its operand were evaluated.
    assert run("%%[ IF false AND RaiseError('x') THEN ]%%a%%[ ELSE ]%%b%%[ ENDIF ]%%") == "b"
    assert run("%%[ IF true OR RaiseError('x') THEN ]%%a%%[ ENDIF ]%%") == "a"
    assert "x" in failure("%%[ IF true AND RaiseError('x') THEN ENDIF ]%%").message


def test_keywords_ignore_case_and_comments_sit_anywhere_in_a_block() -> None:
    content = ("%%[ /* a */ iF @a /* b */ == 1 tHeN /* c */ Output(Concat('one'))\n"
               "ElseIf @a == 2 Then Output(Concat('two')) eLsE Output(Concat('many')) EnDiF ]%%")
    assert [run(content, a=a) for a in (1, 2, 3)] == ["one", "two", "many"]


# --- The comparison table (docs/fidelity.md#ampscript-compare), row by row -------------------

OPERATORS = ("<", "<=", "==", "!=", ">=", ">")
COMPARISONS = [
    ("'a'", "'b'", "TTFTFF"),
    ("'a'", "'A'", "FTTFTF"),
    ("'4'", "'50'", "TTFTFF"),
    ("'4'", "1", "FFFTTT"),
    ("'a'", "1", "TTFTFF"),
    ("'Andreas Graßl'", "'Andreas Grassl'", "FTFTTF"),
    ("'a'", "true", "TFFTFT"),
    ("'a'", "false", "FTTFTF"),
    ("true", "false", "TFFTFT"),
    ("true", "1", "FTTFTF"),
    ("true", "0", "TFFTFT"),
    ("true", "0.0", "TFFTFT"),
    ("true", "1.5", "TFFTFT"),
    ("true", "2", "TFFTFT"),
    ("false", "0", "FTTFTF"),
    ("false", "0.0", "FTTFTF"),
    ("false", "1.5", "FTTFTF"),
    ("false", "2", "FTTFTF"),
    ("false", "1", "TFFTFT"),
    ("@null", "true", "TFFTFT"),
    ("@null", "false", "TFFTFT"),
    ("@null", "0", "TFFTFT"),
    ("@null", "1", "TFFTFT"),
    ("@null", "'0'", "TFFTFT"),
    ("@null", "'a'", "TFFTFT"),
    ("@null", "0.5", "TFFTFT"),
    ("0", "@null", "TFFTFT"),
    ("2147483647", "@null", "TFFTFT"),
    ("@null", "@other", "FTTFTF"),
    ("0.01000000000000511007", "0.01000000000000511007", "FTTFTF"),
    ("Now()", "true", "TFFTFT"),
    ("Now()", "false", "FTTFTF"),
    ("Now()", "0", "FFFTTT"),
    ("Now()", "1", "FFFTTT"),
    ("Now()", "'0'", "FFFTTT"),
    ("Now()", "'1'", "FFFTTT"),
    ("Now()", "'a'", "FFFTTT"),
    ("Now()", "0.5", "FFFTTT"),
    ("Now()", "'0.5'", "FFFTTT"),
    ("'10/20/2024'", "'10/21/2024'", "TTFTFF"),
    ("'01/01/0001'", "0", "FTTFTF"),
    ("'12/31/9999 23:59:59'", "0", "FTTFTF"),
]


@pytest.mark.parametrize(("left", "right", "row"), COMPARISONS)
def test_the_comparison_table(left: str, right: str, row: str) -> None:
    content = ",".join(f"%%=v({left} {op} {right})=%%" for op in OPERATORS)
    expected = ",".join("True" if mark == "T" else "False" for mark in row)
    assert run(content) == expected


def test_dates_compare_as_dates() -> None:
    content = "%%=v(DateAdd(Now(), 1, 'D') > Now())=%%%%=v(Now() == '1/1/2000')=%%"
    assert run(content) == "TrueFalse"


# --- Conditions read as booleans (docs/fidelity.md#ampscript-truth) ---------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (None, "no"), (True, "yes"), (False, "no"), (1, "yes"), (0, "no"), (2, "no"),
    (1.0, "yes"), ("1", "yes"), (" 1 ", "yes"), ("0", "no"), ("true", "yes"),
    (" TRUE ", "yes"), ("False", "no"),
])
def test_condition_values(value: Any, expected: str) -> None:
    assert run("%%[ IF @c THEN ]%%yes%%[ ELSE ]%%no%%[ ENDIF ]%%", c=value) == expected


@pytest.mark.parametrize("value", ["hello", "", 2.5, "1.0", 2**40])
def test_a_condition_that_is_no_boolean_aborts(value: Any) -> None:
    error = failure("%%[\n  IF @c THEN ]%%yes%%[ ENDIF ]%%", c=value)
    assert "is not a boolean" in error.message
    assert "line 2, column 6" in error.message
    assert (error.line, error.column) == (2, 6)


def test_not_of_an_unset_variable_is_true() -> None:
    assert run("%%[ VAR @x IF NOT @x THEN ]%%2%%[ ENDIF IF @x THEN ]%%1%%[ ENDIF ]%%") == "2"


# --- Attributes (docs/fidelity.md#ampscript-attributes) ----------------------------------------

PERSON = {"FirstName": "Ann", "First Name": "Ann B", "emailaddr": "ann@example.com",
          "Total-Expense": 12}


@pytest.mark.parametrize(("content", "expected"), [
    ("Hello %%FirstName%%!", "Hello Ann!"),
    ("Hello %%first name%%!", "Hello Ann B!"),
    ("%%EMAILADDR%%", "ann@example.com"),
    ("%%[ SET @n = [First Name] ]%%%%=v(@n)=%%", "Ann B"),
    ("%%[ SET @n = firstname ]%%%%=v(@n)=%%", "Ann"),
    ("%%=v([Total-Expense])=%%", "12"),
    ("%%=AttributeValue('FIRST NAME')=%%", "Ann B"),
    ("%%=AttributeValue('nope')=%%|%%nope%%|%%=v([no such])=%%", "||"),
    ("%%[ IF Empty(LastName) THEN ]%%none%%[ ENDIF ]%%", "none"),
    # not personalization strings: they stay text
    ("100%% off, %% x%%, %%1%%, %%a-b%%", "100%% off, %% x%%, %%1%%, %%a-b%%"),
])
def test_attributes(content: str, expected: str) -> None:
    assert run(content, attributes=PERSON) == expected


def test_attributes_read_empty_without_a_subscriber() -> None:
    assert run("[%%FirstName%%][%%=v([First Name])=%%][%%=AttributeValue('x')=%%]") == "[][][]"


def test_an_empty_bracketed_attribute_is_a_syntax_error() -> None:
    assert "attribute name between [ ] cannot be empty" in failure("%%=v([ ])=%%").message


# --- Tag-based AMPscript and the whole page -----------------------------------------------------

def test_tag_based_ampscript_is_a_block() -> None:
    page = ('<p>\n<SCRIPT runat=server language="AMPscript">\n/* tags allow comments */\n'
            "SET @x = 1 IF @x == 1 THEN</script>one<script runat='server' language=ampscript>"
            " ENDIF </script>%%=v(@x)=%%</p>")
    assert run(page) == "<p>\none1</p>"


@pytest.mark.parametrize("tag", [
    '<script>var a = "%%";</script>',
    '<script runat="server">Write("x")</script>',
    '<script language="ampscript">SET @x = 1</script>',
])
def test_other_script_tags_are_text(tag: str) -> None:
    assert run(tag) == tag


def test_an_unclosed_tag_is_a_syntax_error() -> None:
    error = failure('a\n<script runat="server" language="ampscript">SET @x = 1')
    assert "is not closed with </script> at line 2, column 1" in error.message


def test_a_page_compiles_to_one_program() -> None:
    program = compile_content("<h1>%%FirstName%%</h1>%%[ IF @a THEN ]%%x%%[ ENDIF "
                              "FOR @i = 1 TO 2 DO ]%%y%%[ NEXT ]%%")
    kinds = [type(item) for item in program.items]
    assert kinds == [Text, Output, Text, If, For]
    branch = program.items[3]
    assert isinstance(branch, If) and branch.branches[0][1] == (Text("x"),)


def test_a_text_compiles_once() -> None:
    content = "%%[ IF @a THEN ]%%compiled once%%[ ENDIF ]%%"
    assert compile_cached(content) is compile_cached(content)


# --- Errors with positions ---------------------------------------------------------------------

@pytest.mark.parametrize(("content", "reason", "line", "column"), [
    ("%%[ NEXT @i ]%%", "NEXT without FOR", 1, 5),
    ("%%[ ENDIF ]%%", "ENDIF without IF", 1, 5),
    ("%%[ ELSE ]%%", "ELSE without IF", 1, 5),
    ("%%[\nIF 1 THEN ELSE ELSE ENDIF ]%%", "ELSE after the ELSE of the IF at line 2, column 1",
     2, 16),
    ("%%[ IF 1 THEN ELSE ELSEIF 1 THEN ENDIF ]%%", "ELSEIF after the ELSE", 1, 20),
    ("%%[ IF 1 THEN ]%% text", "IF without ENDIF", 1, 5),
    ("x\n%%[ FOR @i = 1 TO 2 DO ]%% text", "FOR without NEXT", 2, 5),
    ("%%[ FOR @i = 1 TO 2 DO ENDIF ]%%", "ENDIF without IF (inside the FOR at line 1, column 5)",
     1, 24),
    ("%%[ IF 1 THEN NEXT ]%%", "NEXT without FOR (an IF is still open)", 1, 15),
    ("%%[ IF 1 Output(Concat('a')) ENDIF ]%%", "expected THEN after the condition of IF", 1, 10),
    ("%%[ IF 1 THEN ELSEIF 2 ENDIF ]%%", "expected THEN after the condition of ELSEIF", 1, 24),
    ("%%[ FOR @i = 1 UPTO 2 DO NEXT ]%%", "expected TO or DOWNTO in the FOR loop", 1, 16),
    ("%%[ FOR @i = 1 TO 2 NEXT ]%%", "expected DO after the bounds", 1, 21),
    ("%%[ FOR i = 1 TO 2 DO NEXT ]%%", "expected a variable (@name) after FOR", 1, 9),
    ("%%[ FOR @i 1 TO 2 DO NEXT ]%%", "expected '=' after FOR @i", 1, 12),
    ("%%[ IF THEN ENDIF ]%%", "unexpected keyword THEN", 1, 8),
    ("%%[ SET @x = (1 ]%%", "expected ')' to close the parenthesis", 1, 17),
    ("%%[ SET @x = 1 == ]%%", "expected a value", 1, 19),
    ("%%[ DO ]%%", "unexpected keyword DO", 1, 5),
    ("%%[ IF 1 THEN ]%%\n%%= ENDIF =%%", "unexpected keyword ENDIF", 2, 5),
])
def test_syntax_errors_say_where(content: str, reason: str, line: int, column: int) -> None:
    error = failure(content)
    assert not isinstance(error, FeatureNotEmulated)
    assert reason in error.message
    assert f"at line {line}, column {column}" in error.message
    assert (error.line, error.column) == (line, column)


def test_an_unknown_function_is_a_compile_error_before_anything_runs() -> None:
    ctx = AmpscriptContext(Variables())
    with pytest.raises(AmpscriptError) as raised:
        render("%%[ SET @x = 'ran' ]%%\n  %%=NoSuchThing(1)=%%", ctx)
    error = raised.value
    assert not isinstance(error, FeatureNotEmulated)
    assert error.message.startswith(
        assumptions.AMPSCRIPT_NO_SUCH_FUNCTION.format(name="NoSuchThing"))
    assert (error.function, error.line, error.column) == ("NoSuchThing", 2, 6)
    assert ctx.variables.get("x") is None


def test_a_real_function_not_built_is_not_emulated() -> None:
    error = failure("%%=HTTPPostWithRetry('https://example.org')=%%")
    assert isinstance(error, FeatureNotEmulated)
    assert error.function == "HTTPPostWithRetry"


def test_a_runtime_error_names_its_function_and_place() -> None:
    error = failure("ok\n%%[\n  IF 1 == 1 THEN\n    SET @x = Divide('a', 2)\n  ENDIF\n]%%")
    assert (error.function, error.line, error.column) == ("Divide", 4, 14)
    error = failure("%%[ RaiseError('stop') ]%%")
    assert (error.function, error.line, error.column) == ("RaiseError", 1, 5)


@pytest.mark.parametrize(("start", "end", "shown"), [
    ("'a'", "3", "'a'"), ("1", "'ten'", "'ten'"), ("1", "2.5", "'2.5'"),
    ("@unset", "3", "null"), ("true", "3", "'True'"), ("1", "Now()", ""),
])
def test_for_bounds_must_be_whole_numbers(start: str, end: str, shown: str) -> None:
    error = failure(f"%%[\n FOR @i = {start} TO {end} DO NEXT ]%%")
    assert "needs whole numbers" in error.message
    assert shown in error.message
    assert (error.line, error.column) == (2, 2)


def test_a_counter_the_body_makes_no_number_aborts() -> None:
    error = failure("%%[ FOR @i = 1 TO 3 DO SET @i = 'x' NEXT ]%%")
    assert "needs whole numbers" in error.message and "'x'" in error.message


# --- Bounded: loops, nesting, size -------------------------------------------------------------

@pytest.mark.parametrize("content", [
    "%%[ FOR @i = 1 TO 3 DO SET @i = 1 NEXT ]%%",  # never converges
    "%%[ FOR @i = 10 DOWNTO 1 DO SET @i = 10 NEXT ]%%",
    "%%[ FOR @i = 1 TO 9223372036854775807 DO NEXT ]%%",  # a huge range
    "%%[ FOR @i = 0 DOWNTO -1000000000000 DO NEXT ]%%",
])
def test_endless_and_huge_loops_stop_with_the_convergence_error(content: str) -> None:
    error = failure(content, budget=PageBudget(time_limit=30))
    assert error.message == assumptions.AMPSCRIPT_FOR_CONVERGENCE.format(
        where="line 1, column 5", limit=f"{FOR_MAX_ITERATIONS:,}")


def test_a_loop_keeps_to_the_page_budget() -> None:
    budget = PageBudget(time_limit=0.05)
    with pytest.raises(PageTimeUp):
        # many passes of a big body: the deadline passes before the iteration limit
        run("%%[ FOR @i = 1 TO 9999999 DO " + "SET @a = Concat(@i, 'x') " * 50 + "NEXT ]%%",
            budget=budget)


def test_a_loop_body_writes_every_pass() -> None:
    assert run("%%[ FOR @i = 1 TO 1000 DO ]%%.%%[ NEXT ]%%") == "." * 1000


@pytest.mark.parametrize("content", [
    "%%[ " + "IF 1 THEN " * 10_000 + "ENDIF " * 10_000 + "]%%",
    "%%[ " + "FOR @i = 1 TO 1 DO " * 10_000 + "NEXT " * 10_000 + "]%%",
    "%%[ " + "IF 1 THEN ]%%x%%[ " * 5_000 + "]%%",
    "%%[ IF " + "(" * 10_000 + "1" + ")" * 10_000 + " THEN ENDIF ]%%",
    "%%[ IF " + "NOT " * 10_000 + "true THEN ENDIF ]%%",
    "%%= " + "NOT (" * 10_000 + "1" + ")" * 10_000 + " =%%",
])
def test_deep_nesting_is_a_clear_error(content: str) -> None:
    error = failure(content)
    assert "nested deeper than" in error.message


def test_nesting_within_the_bound_runs() -> None:
    depth = assumptions.AMPSCRIPT_MAX_NESTING
    content = "%%[ " + "IF 1 THEN " * depth + "Output(Concat('deep')) " + "ENDIF " * depth + "]%%"
    assert run(content) == "deep"
    content = "%%=v(" + "(" * (depth - 1) + "1 == 1" + ")" * (depth - 1) + ")=%%"
    assert run(content) == "True"


def test_long_chains_are_loops_not_recursion() -> None:
    chain = " AND ".join(["true"] * 20_000)
    assert run(f"%%[ IF {chain} THEN ]%%all%%[ ENDIF ]%%") == "all"
    assert run("%%=v(" + " == ".join(["1"] * 20_000) + ")=%%") == "True"
    assert run("%%=v(2 == 2 == 2)=%%") == "False"  # (2 == 2) == 2: True against 2, read false
    statements = "".join(f"IF @i == {i} THEN SET @hit = {i} ENDIF\n" for i in range(5_000))
    assert run("%%[ SET @i = 4999\n" + statements + "]%%%%=v(@hit)=%%") == "4999"


def test_a_five_megabyte_literal_renders_within_the_budget() -> None:
    big = "x" * 5_000_000
    budget = PageBudget(time_limit=30)
    content = f"%%[ SET @big = '{big}' IF Length(@big) > 10 THEN ]%%{big}%%[ ENDIF ]%%"
    rendered = run(content, budget=budget)
    assert rendered == big
    assert budget.held == len(big)  # the variable, still held; the output went to the caller


def test_a_five_megabyte_page_with_loops_renders() -> None:
    page = ("<p>" * 1_000_000 + "%%[ FOR @i = 1 TO 3 DO ]%%%%=v(@i)=%%%%[ NEXT ]%%"
            + "</p>" * 500_000)
    assert run(page) == "<p>" * 1_000_000 + "123" + "</p>" * 500_000
