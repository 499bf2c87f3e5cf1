"""Hostile diagrams: every escape payload is refused before it runs, or fails safely when it runs."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from engine.bpmn.expressions import MAX_LENGTH, ExpressionError, check, evaluate
from engine.bpmn.scripting import EXPRESSION_FUNCTIONS, SAFE_FUNCTIONS

ESCAPES = [
    "__import__('os')",
    "__import__('os').system('id')",
    "().__class__.__base__.__subclasses__()",
    "''.__class__.__mro__[1].__subclasses__()",
    "open('/etc/passwd')",
    "open('/etc/passwd').read()",
    "eval('1+1')",
    "exec('import os')",
    "getattr(len, '__self__')",
    "globals()",
    "9**9**9**9",
    "[1]*10**10",
    "'x'*10**10",
    "(lambda: 1)()",
    "(lambda f: f(f))(lambda f: f(f))",
    "[x for x in range(10**9)]",
    "sum(x for x in range(10**9))",
    "{x: 1 for x in 'ab'}",
    "(x := 5)",
    "len.__call__",
    "data._private",
    "1 << 10**6",
    "f'{x!r}'",
    "f'{x:>{10**9}}'",
    "str.join('', 'a')",
    "x.keys()",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_escape_payloads_are_refused_at_deploy_time(payload):
    assert check(payload, functions=EXPRESSION_FUNCTIONS), payload


# Only refusable once the operand's type is known.
RUN_TIME_ONLY = ["'%s' % x", "x % x"]


@pytest.mark.parametrize("payload", ESCAPES + RUN_TIME_ONLY)
def test_escape_payloads_never_run(payload):
    with pytest.raises(ExpressionError):
        evaluate(payload, {"x": "a", "data": {"_private": 1}}, SAFE_FUNCTIONS)


def test_growth_through_data_fails_safely_at_run_time():
    """Names are only known at run time, so the bound must hold there too."""
    with pytest.raises(ExpressionError, match="too large"):
        evaluate("items * n", {"items": [1] * 100, "n": 10**6}, {})
    with pytest.raises(ExpressionError, match="too large"):
        evaluate("n ** n", {"n": 10**50}, {})
    with pytest.raises(ExpressionError, match="exponent"):
        evaluate("2 ** n", {"n": 1000}, {})
    with pytest.raises(ExpressionError, match="too large"):
        evaluate("[row] * 10000", {"row": [1] * 10000}, {})


def test_long_and_deep_expressions_are_refused():
    assert "too long" in check("1+" * MAX_LENGTH + "1")[0]
    assert "too complex" in check("-" * 1000 + "1")[0]
    assert "nested" in check("[" * 300 + "]" * 300)[0]


def test_office_conditions_evaluate_as_written():
    data = {"category": "检举控告类", "days": 12, "units": ["a", "b"], "case": {"key": True}}
    assert evaluate("category == '检举控告类' and days <= 15", data, {}) is True
    assert evaluate("len(units) > 1", data, SAFE_FUNCTIONS) is True
    assert evaluate("case.key", data, {}) is True
    assert evaluate("'a' in units and not case['key']", data, {}) is False
    assert evaluate("f'{category}-{days}'", data, {}) == "检举控告类-12"
    assert evaluate("days if days > 10 else 0", data, {}) == 12


def test_unknown_names_and_functions_are_named_in_the_error():
    with pytest.raises(ExpressionError, match="name 'missing' is not defined"):
        evaluate("missing == 1", {}, {})
    assert check("sorted(x)", functions=EXPRESSION_FUNCTIONS) == ["function 'sorted' is not allowed"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_either_evaluates_or_raises_expression_error(text):
    names = {"x": 1, "s": "abc", "items": [1, 2]}
    try:
        evaluate(text, names, SAFE_FUNCTIONS)
    except ExpressionError:
        pass


OPERATORS = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "<", "==", " and ", " or "])
ATOMS = st.one_of(st.integers(-10**6, 10**6).map(str), st.sampled_from(["x", "s", "items", "9", "'ab'"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(ATOMS, OPERATORS), min_size=1, max_size=12), ATOMS)
def test_operator_chains_stay_bounded(pairs, last):
    text = "".join(a + op for a, op in pairs) + last
    names = {"x": 7, "s": "abc", "items": [1, 2]}
    try:
        result = evaluate(text, names, SAFE_FUNCTIONS)
    except ExpressionError:
        return
    if isinstance(result, (int, float)):
        assert abs(result) <= 10**100
    elif isinstance(result, (str, list)):
        assert len(result) <= 10_000
