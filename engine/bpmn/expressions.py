"""Restricted evaluator for BPMN expressions: gateway conditions, timers, task parameters.

SpiffWorkflow evaluates these with eval() and full builtins. Uploading a diagram is
deploying code, so a hostile diagram must not be able to reach Python objects, run
functions we did not hand it, or hang the engine or exhaust its memory.

How: the source is parsed with ast.parse and never compiled (CPython's compile() folds
constants, so `9**9**9**9` would hang before anything could refuse it). The tree is
checked against a whitelist of node types, then interpreted here with bounded operators.
Only the `names` and `functions` the caller passes are visible; there are no builtins,
no method calls, and attribute syntax is only sugar for dict keys.

simpleeval was considered, but meeting these rules meant overriding nearly every one of its
handlers (method calls, getattr fallbacks, comprehensions); this whitelist is easier to audit.
"""
from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_LENGTH = 2000  # characters of source
MAX_NODES = 500  # AST nodes, as yielded by ast.walk (operators and contexts included)
MAX_MAGNITUDE = 10**100  # largest number arithmetic may take or produce
MAX_EXPONENT = 100
MAX_SIZE = 10_000  # largest string/sequence that + or * may produce



class ExpressionError(Exception):
    """Any refused or failed expression; str(e) is a one-line English message."""


_CONSTANT_TYPES = (str, int, float, bool, type(None))
_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
               ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
_OTHER_OPERATORS = {ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|",
                    ast.BitXor: "^", ast.MatMult: "@", ast.Invert: "~"}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_REFUSED_NAMES = {
    ast.Lambda: "lambda", ast.ListComp: "list comprehension", ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension", ast.GeneratorExp: "generator expression",
    ast.NamedExpr: "assignment expression (:=)", ast.Starred: "starred expression (*)",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield from",
}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _identifier_problem(kind: str, ident: str) -> str | None:
    """Underscore names lead to Python internals (__class__, __globals__), so none are allowed."""
    if ident.startswith("__"):
        return f"dunder {kind} '{ident}' is not allowed"
    if ident.startswith("_"):
        return f"private {kind} '{ident}' is not allowed"
    return None


class _Checker:
    """Walks the tree, collecting every refused construct and every function called."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.calls: list[str] = []

    def refuse(self, message: str | None) -> None:
        if message and message not in self.problems:
            self.problems.append(message)

    def visit(self, node: ast.AST) -> None:
        match node:
            case ast.Constant(value=value):
                if type(value) not in _CONSTANT_TYPES:
                    self.refuse(f"constant of type {type(value).__name__} is not allowed")
                elif isinstance(value, (int, float)) and abs(value) > MAX_MAGNITUDE:
                    self.refuse("number too large (at most 10**100)")
            case ast.Name(id=ident):
                self.refuse(_identifier_problem("name", ident))
            case ast.Attribute(value=value, attr=attr):
                self.refuse(_identifier_problem("attribute", attr))
                self.visit(value)
            case ast.Call(func=func, args=args, keywords=keywords):
                self.visit_call(func, args, keywords)
            case ast.BinOp(left=left, op=op, right=right):
                if type(op) not in _ARITHMETIC:
                    self.refuse(f"operator '{_OTHER_OPERATORS.get(type(op), '?')}' is not allowed")
                self.visit(left)
                self.visit(right)
            case ast.UnaryOp(op=op, operand=operand):
                if isinstance(op, ast.Invert):
                    self.refuse("operator '~' is not allowed")
                self.visit(operand)
            case ast.Dict(keys=keys, values=values):
                if any(key is None for key in keys):
                    self.refuse("dict unpacking (**) is not allowed")
                self.visit_all([k for k in keys if k is not None] + values)
            case ast.JoinedStr(values=values):
                self.visit_all(values)
            case ast.FormattedValue(value=value, conversion=conversion, format_spec=spec):
                # Conversions and format specs are a second mini-language (nested
                # expressions, huge widths such as {x:>{10**9}}); plain {value} is enough.
                if conversion != -1:
                    self.refuse(f"f-string conversion '!{chr(conversion)}' is not allowed")
                if spec is not None:
                    self.refuse("f-string format spec is not allowed")
                self.visit(value)
            case (ast.Subscript() | ast.Slice() | ast.BoolOp() | ast.Compare() | ast.IfExp()
                  | ast.List() | ast.Tuple() | ast.Set()):
                self.visit_all(ast.iter_child_nodes(node))
            case ast.Load() | ast.boolop() | ast.cmpop():
                pass
            case _:
                name = _REFUSED_NAMES.get(type(node), type(node).__name__)
                self.refuse(f"{name} is not allowed")

    def visit_all(self, nodes: Any) -> None:
        for child in nodes:
            self.visit(child)

    def visit_call(self, func: ast.expr, args: list[ast.expr], keywords: list[ast.keyword]) -> None:
        if isinstance(func, ast.Name):
            problem = _identifier_problem("name", func.id)
            if problem:
                self.refuse(problem)
            elif func.id not in self.calls:
                self.calls.append(func.id)
        elif isinstance(func, ast.Attribute):
            self.refuse(f"method call '{func.attr}' is not allowed")
            self.visit(func.value)
        else:
            self.refuse("only functions called by plain name are allowed")
            self.visit(func)
        for arg in args:
            if isinstance(arg, ast.Starred):
                self.refuse("argument unpacking (*args) is not allowed")
            else:
                self.visit(arg)
        for keyword in keywords:
            if keyword.arg is None:
                self.refuse("keyword unpacking (**kwargs) is not allowed")
            else:
                self.visit(keyword.value)


@dataclass(frozen=True)
class _Analysis:
    tree: ast.Expression | None
    problems: tuple[str, ...]
    calls: tuple[str, ...]


def _constant_problems(node: ast.AST, problems: list[str]) -> None:
    """Evaluates every maximal name- and call-free subtree, as the compiler would fold it,
    but with the bounded operators, so `9**9**9**9` or `[1]*10**10` fail at deploy time."""
    if isinstance(node, ast.expr) and not any(
            isinstance(n, (ast.Name, ast.Call)) for n in ast.walk(node)):
        try:
            _run(node, {}, {})
        except ExpressionError as err:
            if str(err) not in problems:
                problems.append(str(err))
        return
    for child in ast.iter_child_nodes(node):
        _constant_problems(child, problems)


@lru_cache(maxsize=2048)
def _analyse(source: str) -> _Analysis:
    """Parse and check once per distinct source: the same conditions run many times."""
    if not source:
        return _Analysis(None, ("expression is empty",), ())
    if len(source) > MAX_LENGTH:
        return _Analysis(None, (f"expression too long ({len(source)} characters, at most {MAX_LENGTH})",), ())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        return _Analysis(None, (f"syntax error at line {err.lineno}, column {err.offset}: "
                                f"{_one_line(err.msg)}",), ())
    except (ValueError, RecursionError, MemoryError, OverflowError) as err:
        return _Analysis(None, (f"syntax error: {_one_line(str(err)) or type(err).__name__}",), ())
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        return _Analysis(None, (f"expression too complex ({count} nodes, at most {MAX_NODES})",), ())
    checker = _Checker()
    checker.visit(tree.body)
    problems = checker.problems
    if not problems:
        _constant_problems(tree.body, problems)
    return _Analysis(tree, tuple(problems), tuple(checker.calls))


def _prepare(expression: str) -> _Analysis:
    if not isinstance(expression, str):
        return _Analysis(None, (f"expression must be a string, not {type(expression).__name__}",), ())
    # Like eval(), tolerate surrounding whitespace (BPMN text nodes often have some).
    return _analyse(expression.strip())


def check(expression: str, *, functions: Collection[str] = ()) -> list[str]:
    """Deploy-time check; returns the problems found, an empty list when the expression is fine.

    Refuses bad syntax, more than MAX_LENGTH characters or MAX_NODES nodes, any construct
    outside the whitelist, calls to names not in `functions`, and constant parts that
    would fail when run (e.g. `1/0`, `9**9**9**9`).
    """
    analysis = _prepare(expression)
    allowed = set(functions)
    return list(analysis.problems) + [f"function '{name}' is not allowed"
                                      for name in analysis.calls if name not in allowed]


def evaluate(expression: str, names: Mapping[str, Any],
             functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
    """Evaluate with only `names` and `functions` visible; what `check` refuses never runs.
    Raises ExpressionError for every failure."""
    functions = functions or {}
    problems = check(expression, functions=functions.keys())
    if problems:
        raise ExpressionError("; ".join(problems))
    tree = _prepare(expression).tree
    assert tree is not None
    return _run(tree.body, names, functions)


def _run(node: ast.AST, names: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> Any:
    """Interprets a checked tree; any failure becomes an ExpressionError."""
    try:
        return _Interpreter(names, functions).eval(node)
    except ExpressionError:
        raise
    except RecursionError:
        raise ExpressionError("expression too deeply nested") from None
    except MemoryError:
        raise ExpressionError("result too large") from None
    except ZeroDivisionError:
        raise ExpressionError("division by zero") from None
    except Exception as err:
        raise ExpressionError(_one_line(f"{type(err).__name__}: {err}")) from err


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def _size(value: Any, budget: int = MAX_SIZE) -> int:
    """Elements counted through nesting (strings by characters), stopping past `budget`:
    `[[1]*10000]*10000` is small per level but 10**8 elements once printed or compared."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        value = [*value.keys(), *value.values()]
    if not isinstance(value, (list, tuple, set, frozenset)):
        return 1
    total = len(value)
    for item in value:
        if total > budget:
            break
        total += _size(item, budget - total)
    return total


def _bounded(value: Any) -> Any:
    if _is_number(value) and abs(value) > MAX_MAGNITUDE:
        raise ExpressionError("result too large (numbers are limited to 10**100)")
    if isinstance(value, complex):
        raise ExpressionError("result is a complex number")
    return value


def _arithmetic(op: type, left: Any, right: Any) -> Any:
    """Only numbers, plus + for same-type str/list/tuple and * of those by an int."""
    symbol = _ARITHMETIC[op]
    sequences = (str, list, tuple)
    if _is_number(left) and _is_number(right):
        _bounded(left)
        _bounded(right)
        if op is ast.Pow:
            if abs(right) > MAX_EXPONENT:
                raise ExpressionError(f"exponent {right} is too large (at most {MAX_EXPONENT})")
            try:
                return _bounded(left ** right)
            except OverflowError:
                raise ExpressionError("result too large (numbers are limited to 10**100)") from None
        function = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
                    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv,
                    ast.Mod: operator.mod}[op]
        return _bounded(function(left, right))
    if op is ast.Add and type(left) is type(right) and isinstance(left, sequences):
        if len(left) + len(right) > MAX_SIZE:
            raise ExpressionError(f"result too large (more than {MAX_SIZE} elements or characters)")
        return left + right
    if op is ast.Mult:
        sequence, count = (left, right) if isinstance(left, sequences) else (right, left)
        if isinstance(sequence, sequences) and isinstance(count, int):
            if count > 0 and _size(sequence) * count > MAX_SIZE:
                raise ExpressionError(f"result too large (more than {MAX_SIZE} elements or characters)")
            return sequence * count
    if op is ast.Mod and isinstance(left, str):
        raise ExpressionError("string formatting with '%' is not allowed; use an f-string")
    raise ExpressionError(f"unsupported operand types for {symbol}: "
                          f"'{type(left).__name__}' and '{type(right).__name__}'")


class _Interpreter:
    """One frame per tree level, so the recursion depth is the depth of the tree."""

    def __init__(self, names: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> None:
        self.names = names
        self.functions = functions

    def eval(self, node: ast.AST) -> Any:
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name(id=name):
                if name not in self.names:
                    raise ExpressionError(f"name '{name}' is not defined")
                return self.names[name]
            case ast.Attribute(value=value, attr=attr):
                obj = self.eval(value)
                if not isinstance(obj, Mapping):
                    raise ExpressionError(f"attribute '{attr}' is only allowed on dicts, "
                                          f"not on {type(obj).__name__}")
                if attr not in obj:
                    raise ExpressionError(f"key '{attr}' not found")
                return obj[attr]
            case ast.Subscript(value=value, slice=index):
                obj, key = self.eval(value), self.eval(index)
                try:
                    return obj[key]
                except KeyError:
                    raise ExpressionError(f"key {repr(key)[:80]} not found") from None
                except IndexError:
                    raise ExpressionError(f"index {key} out of range") from None
            case ast.Slice(lower=lower, upper=upper, step=step):
                return slice(*(None if part is None else self.eval(part) for part in (lower, upper, step)))
            case ast.BinOp(left=left, op=op, right=right):
                return _arithmetic(type(op), self.eval(left), self.eval(right))
            case ast.UnaryOp(op=op, operand=operand):
                value = self.eval(operand)
                if isinstance(op, ast.Not):
                    return not value
                if not _is_number(value):
                    raise ExpressionError(f"bad operand type for unary {'-' if isinstance(op, ast.USub) else '+'}: "
                                          f"'{type(value).__name__}'")
                return -value if isinstance(op, ast.USub) else +value
            case ast.BoolOp(op=op, values=values):
                result: Any = None
                for item in values:
                    result = self.eval(item)
                    if bool(result) != isinstance(op, ast.And):
                        return result
                return result
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                current, result = self.eval(left), True
                for op, comparator in zip(ops, comparators):
                    following = self.eval(comparator)
                    result = _COMPARE[type(op)](current, following)
                    if not result:
                        return result
                    current = following
                return result
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self.eval(body) if self.eval(test) else self.eval(orelse)
            case ast.List(elts=elts):
                return [self.eval(e) for e in elts]
            case ast.Tuple(elts=elts):
                return tuple(self.eval(e) for e in elts)
            case ast.Set(elts=elts):
                return {self.eval(e) for e in elts}
            case ast.Dict(keys=keys, values=values):
                return {self.eval(k): self.eval(v) for k, v in zip(keys, values)}
            case ast.JoinedStr(values=values):
                text = "".join(self.eval(part) for part in values)
                if len(text) > MAX_SIZE:
                    raise ExpressionError(f"result too large (more than {MAX_SIZE} characters)")
                return text
            case ast.FormattedValue(value=value):
                return format(self.eval(value), "")
            case ast.Call(func=ast.Name(id=name), args=args, keywords=keywords):
                if name not in self.functions:
                    raise ExpressionError(f"function '{name}' is not allowed")
                arguments = [self.eval(a) for a in args]
                options = {k.arg: self.eval(k.value) for k in keywords if k.arg is not None}
                try:
                    return self.functions[name](*arguments, **options)
                except Exception as err:
                    raise ExpressionError(_one_line(f"function '{name}' failed: "
                                                    f"{type(err).__name__}: {err}")) from err
        raise ExpressionError(f"{type(node).__name__} is not allowed")
