"""Read an HCL tfvars file the way Terraform does (issue 14): values, where each one is, and what
Terraform refuses before any variable is checked.

Terraform reads a tfvars file with `hclsyntax.ParseConfig`, takes `Body.JustAttributes()` (a
block is "Blocks are not allowed here") and evaluates each attribute with `Expr.Value(nil)`: no
variables ("Variables not allowed") and no functions ("Function calls not allowed"), but
operators, conditionals, templates, `for` expressions and indexing of literal values all work.
python-hcl2 parses the file (its raw lark tree, which keeps line numbers); this module evaluates
that tree with Terraform's rules:

- quoted strings: the escapes `\\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN` (any other is an error),
  `$${` and `%%{` for a literal `${` and `%{`;
- heredocs: `<<EOT` keeps every line with its newline, the last one included; `<<-EOT` removes
  the smallest indentation of the lines that are not blank (a line starting with `${` has none),
  as hclsyntax's flushHeredocTemplateParts does; escapes are not processed in heredocs;
- templates: a template that is one interpolation and nothing else is that value, with its type
  (`"${1 + 1}"` is the number 2); otherwise each interpolation is a string, number or bool;
  `%{ if }` directives work; `%{ for }` directives are not evaluated here (reported, see below);
- strings are NFC-normalised, as cty does;
- numbers are decimals (HCL's are 512-bit floats; the two differ only far from any value a
  tfvars file holds), and strings that spell a number convert where an operator needs one.

What this module cannot evaluate (`%{ for }` directives, strip markers) is reported as a
problem, so validate-vars never passes a file it could not read in full.

`evaluate_condition` evaluates a catalog validation's condition the same way, with `var.*` and
the few functions those conditions use: validate-vars checks with it what JSON Schema cannot say.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from hcl2.api import parses_to_tree
from lark import Token, Tree

KeyPath = tuple[str | int, ...]


class _Unsupported(Exception):
    """Terraform would evaluate it, this module does not: reported, never silently passed."""


@dataclass
class Problem:
    path: KeyPath
    line: int
    message: str


@dataclass
class HclValues:
    values: dict[str, Any]
    lines: dict[KeyPath, int]  # every object key and list element, and each top-level name
    problems: list[Problem] = field(default_factory=list)  # refused before any type is checked
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)  # (name, line, first line)
    broken: set[str] = field(default_factory=set)  # top-level names with no value to check


class _Failed(Exception):
    """Evaluation of one value stopped; its problems are already recorded."""


_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")
_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))', re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_HEREDOC_OPEN = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def parse_tfvars(text: str) -> HclValues:
    """Evaluate every attribute of a tfvars file. Raises what python-hcl2 raises on a syntax error."""
    tree = parses_to_tree(text)
    body = _child(tree, "body")
    out = HclValues({}, {})
    first_line: dict[str, int] = {}
    for node in body.children if body is not None else ():
        if not isinstance(node, Tree):
            continue
        if node.data == "block":
            name = _name(node.children[0])
            out.problems.append(Problem((name,), _line(node), f'Blocks are not allowed here: set it as an attribute, {name} = {{ ... }}'))
            out.broken.add(name)
            out.lines.setdefault((name,), _line(node))
            continue
        if node.data != "attribute":
            continue
        name = _name(node.children[0])
        line = _line(node)
        if name in first_line:
            out.duplicates.append((name, line, first_line[name]))
            continue
        first_line[name] = line
        out.lines[(name,)] = line
        evaluator = _Evaluator(out)
        try:
            out.values[name] = _finish(evaluator.value(node.children[-1], (name,)))
        except _Failed:
            out.broken.add(name)
    return out


def evaluate_condition(condition: str, variables: dict[str, Any]) -> tuple[bool, str | None]:
    """A catalog validation's HCL condition on a file's values (`var.<name>`, with the type's
    defaults filled in): (holds, why it could not be evaluated)."""
    out = HclValues({}, {})
    scope = {"var": _decimals(variables)}
    try:
        evaluator = _Evaluator(out, scope, CONDITION_FUNCTIONS)
        result = evaluator.value(_expression(condition, 1), ("condition",))
    except _Failed:
        return False, out.problems[-1].message if out.problems else "it cannot be evaluated"
    except Exception as exc:  # noqa: BLE001 - python-hcl2 cannot parse it: the catalog's to fix
        return False, f"it cannot be evaluated ({type(exc).__name__})"
    if not isinstance(result, bool):
        return False, f"it is {_type_name(result)}, not a bool"
    return result, None


def _decimals(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    return value


def _length(value: Any) -> Decimal:
    if isinstance(value, (str, list, dict)):
        return Decimal(len(value))
    raise ValueError(f"a {_type_name(value)} has no length")


def _coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None and value != "":
            return value
    raise ValueError("no non-null, non-empty argument")


def _contains(collection: Any, value: Any) -> bool:
    if not isinstance(collection, list):
        raise ValueError(f"a {_type_name(collection)} is not a list")
    return any(type(item) is type(value) and item == value for item in collection)


def _distinct(values: Any) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not any(type(o) is type(value) and o == value for o in out):
            out.append(value)
    return out


def _concat(*lists: Any) -> list[Any]:
    if not all(isinstance(v, list) for v in lists):
        raise ValueError("every argument must be a list")
    return [item for items in lists for item in items]


def _anytrue(values: Any) -> bool:
    if not isinstance(values, list) or not all(isinstance(v, bool) for v in values):
        raise ValueError("the argument must be a list of bools")
    return any(values)


def _split(separator: Any, text: Any) -> list[str]:
    if not isinstance(separator, str) or not isinstance(text, str):
        raise ValueError("both arguments must be strings")
    return text.split(separator)


def _tonumber(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value)) if isinstance(value, str) and value.strip() == value else Decimal("x")
    except ArithmeticError:
        raise ValueError(f"cannot convert {value!r} to number") from None


def _strcontains(text: Any, part: Any) -> bool:
    if not isinstance(text, str) or not isinstance(part, str):
        raise ValueError("both arguments must be strings")
    return part in text


def _cidrhost(prefix: Any, hostnum: Any) -> str:
    """Terraform's cidrhost(): the address numbered `hostnum` in the prefix's network (the
    prefix may have host bits set; a negative number counts from the end)."""
    try:
        network = ipaddress.ip_network(str(prefix), strict=False)
    except ValueError:
        raise ValueError(f"invalid CIDR expression {prefix!r}") from None
    number = int(Decimal(hostnum))
    if not -network.num_addresses <= number < network.num_addresses:
        raise ValueError(f"prefix of {network.prefixlen} does not accommodate a host numbered {number}")
    return str(network[number])


# The functions the catalog's conditions without a JSON Schema mirror use (a test keeps the list
# complete), each as Terraform defines it; try() and can() are the evaluator's own (lazy). A
# tfvars file may call none.
CONDITION_FUNCTIONS = {
    "length": _length, "coalesce": _coalesce, "contains": _contains, "distinct": _distinct, "concat": _concat,
    "anytrue": _anytrue, "split": _split, "tonumber": _tonumber, "strcontains": _strcontains, "cidrhost": _cidrhost,
}


def _child(tree: Tree, data: str) -> Tree | None:
    return next((c for c in tree.children if isinstance(c, Tree) and c.data == data), None)


def _name(node: Any) -> str:
    token = node if isinstance(node, Token) else next(t for t in node.scan_values(lambda _: True))
    return str(token)


def _line(node: Any, default: int = 1) -> int:
    if isinstance(node, Token):
        return node.line or default
    if isinstance(node, Tree) and not node.meta.empty:
        return node.meta.line
    return default


def _finish(value: Any) -> Any:
    """Decimals as int or float (JSON Schema and json.dumps take those); strings NFC."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_finish(v) for v in value]
    if isinstance(value, dict):
        return {unicodedata.normalize("NFC", k): _finish(v) for k, v in value.items()}
    return value


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "tuple"
    return "object"


def _number_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


class _Evaluator:
    def __init__(self, out: HclValues, scope: dict[str, Any] | None = None, functions: dict[str, Any] | None = None):
        self.out = out
        self.scope: dict[str, Any] = dict(scope or {})  # `for` iterator variables (and `var` in a condition)
        self.functions = functions or {}  # none in a tfvars file

    # --- reporting -------------------------------------------------------------------------

    def fail(self, path: KeyPath, node: Any, message: str) -> _Failed:
        self.out.problems.append(Problem(path, _line(node, self.out.lines.get(path[:1], 1)), message))
        return _Failed()

    # --- expressions -----------------------------------------------------------------------

    def value(self, node: Any, path: KeyPath) -> Any:
        """The value of an expression node, recording lines of keys and elements under `path`."""
        try:
            return self._value(node, path)
        except _Unsupported as exc:
            raise self.fail(path, node, f"validate-vars cannot evaluate {exc} here; write the value itself") from None

    def _value(self, node: Any, path: KeyPath) -> Any:
        if isinstance(node, Token):
            raise _Unsupported(f"{node!s}")
        kind = node.data
        if kind == "expr_term":
            inner = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
            if len(inner) != 1:  # ( expression ): the parentheses' content
                raise _Unsupported("this expression")
            return self._value(inner[0], path)
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(node.children[0])]
        if kind == "int_lit" or kind == "float_lit":
            return Decimal(str(node.children[0]))
        if kind == "string":
            return self.template(self._string_parts(node, path), path, node)
        if kind == "heredoc_template" or kind == "heredoc_template_trim":
            return self.template(self._heredoc_parts(node, path), path, node)
        if kind == "template_string":
            raise _Unsupported("an escaped-quote string")
        if kind == "tuple":
            return self._tuple(node, path)
        if kind == "object":
            return self._object(node, path)
        if kind == "identifier":
            name = str(node.children[0])
            if name in self.scope:
                return self.scope[name]
            raise self.fail(path, node, f"Variables not allowed: a tfvars value cannot refer to {name}; write the value itself")
        if kind == "get_attr_expr_term" or kind == "index_expr_term":
            return self._traversal(node, path)
        if kind == "function_call":
            name = _name(node.children[0])
            if name in ("try", "can") and self.functions:
                return self._try(name, node, path)
            if name in self.functions:
                arguments = _child(node, "arguments")
                args = [self._value(a, path) for a in self._elements(arguments)] if arguments is not None else []
                try:
                    return self.functions[name](*args)
                except (TypeError, ValueError) as exc:
                    raise self.fail(path, node, f"Error in function call: {name}(): {exc}") from None
            raise self.fail(path, node, f"Function calls not allowed: a tfvars value cannot call {name}(); write the value itself")
        if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
            return self._splat(node, path)
        if kind == "for_tuple_expr" or kind == "for_object_expr":
            return self._for(node, path)
        if kind == "unary_op":
            operator, operand = str(node.children[0]), self._value(node.children[1], path)
            if operator == "-":
                return -self._number(operand, path, node)
            return not self._bool(operand, path, node)
        if kind == "binary_op":
            return self._binary(node, path)
        if kind == "conditional":
            return self._conditional(node, path)
        raise _Unsupported(f"a {kind.replace('_', ' ')}")

    def _try(self, name: str, node: Tree, path: KeyPath) -> Any:
        """Terraform's try() and can(): an argument that fails to evaluate is no error (its
        problem is dropped); try returns the first that works, can whether the one does."""
        arguments = _child(node, "arguments")
        candidates = self._elements(arguments) if arguments is not None else []
        for candidate in candidates:
            recorded = len(self.out.problems)
            try:
                result = self._value(candidate, path)
            except _Failed:
                del self.out.problems[recorded:]
                continue
            return True if name == "can" else result
        if name == "can":
            return False
        raise self.fail(path, node, "Error in function call: try(): no expression succeeded")

    def _elements(self, node: Tree) -> list[Tree]:
        return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]

    def _tuple(self, node: Tree, path: KeyPath) -> list[Any]:
        items = []
        for index, element in enumerate(self._elements(node)):
            self.out.lines.setdefault((*path, index), _line(element))
            items.append(self.value(element, (*path, index)))
        return items

    def _object(self, node: Tree, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for element in self._elements(node):  # object_elem: key, = or :, value
            key_node, value_node = element.children[0], element.children[-1]
            key = self._key(key_node, path)
            self.out.lines.setdefault((*path, key), _line(element))
            result.pop(key, None)  # a key given twice: the last one wins, as in HCL
            result[key] = self.value(value_node, (*path, key))
        return result

    def _key(self, node: Tree, path: KeyPath) -> str:
        """An object key: a bare name (or keyword) is its text, anything else is evaluated."""
        inner = self._elements(node)
        if not inner:  # a keyword such as `in`
            return str(node.children[0].children[0]) if isinstance(node.children[0], Tree) else str(node.children[0])
        term = inner[0]
        if term.data == "expr_term":
            parts = self._elements(term)
            if len(parts) == 1 and parts[0].data in ("identifier", "literal_value", "keyword"):
                return str(parts[0].children[0])
        value = self.value(term, path)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Decimal):
            return _number_text(value)
        if isinstance(value, str):
            return value
        raise self.fail(path, node, f"Incorrect key type: an object key must be a string, not {_type_name(value)}")

    def _traversal(self, node: Tree, path: KeyPath) -> Any:
        base_node, step = node.children[0], node.children[1]
        self._refuse_reference(base_node, node, node, path)
        base = self._value(base_node, path)
        return self._index(base, self._step_key(step, path), path, node)

    def _refuse_reference(self, base_node: Any, shown: Any, node: Any, path: KeyPath) -> None:
        """A traversal from a name outside the scope (`local.y`, `var.x` in a tfvars file)."""
        root = self._root_name(base_node)
        if root is not None and root not in self.scope:
            raise self.fail(path, node, f"Variables not allowed: a tfvars value cannot refer to {self._reference(shown)}; write the value itself")

    def _step_key(self, step: Tree, path: KeyPath) -> Any:
        """The key of one traversal step: `.a`, `.0` or `[expression]`."""
        if step.data == "get_attr":
            return _name(step.children[1])
        if step.data == "short_index":
            return Decimal(str(step.children[1]))
        return self._value(self._elements(step)[0], path)

    def _reference(self, node: Any) -> str:
        """How a reference reads (`local.y[...]`), for messages."""
        if isinstance(node, Tree) and node.data == "identifier":
            return str(node.children[0])
        if isinstance(node, Tree) and node.data == "expr_term" and len(self._elements(node)) == 1:
            return self._reference(self._elements(node)[0])
        if isinstance(node, Tree) and node.data == "get_attr_expr_term":
            return f"{self._reference(node.children[0])}.{_name(node.children[1].children[1])}"
        if isinstance(node, Tree) and node.data == "index_expr_term":
            return f"{self._reference(node.children[0])}[...]"
        return "..."

    def _root_name(self, node: Any) -> str | None:
        """The name a traversal starts from (`local` in local.y[0]), or None for a literal base."""
        while isinstance(node, Tree):
            if node.data == "identifier":
                return str(node.children[0])
            if node.data in ("get_attr_expr_term", "index_expr_term"):
                node = node.children[0]
            elif node.data == "expr_term" and len(self._elements(node)) == 1:
                node = self._elements(node)[0]
            else:
                return None
        return None

    def _splat(self, node: Tree, path: KeyPath) -> list[Any]:
        """`list[*].a`, `list.*.a`: the traversal after the splat applied to each element; a value
        that is not a list is a list of itself (none for null), as HCL's splat does."""
        base_node, splat = node.children[0], node.children[1]
        self._refuse_reference(base_node, base_node, node, path)
        base = self._value(base_node, path)
        items = base if isinstance(base, list) else [] if base is None else [base]
        steps = [c for c in splat.children if isinstance(c, Tree)]
        if node.data == "attr_splat_expr_term" and any(s.data != "get_attr" for s in steps):
            raise _Unsupported("an index after an attribute splat")
        out = []
        for item in items:
            for step in steps:
                item = self._index(item, self._step_key(step, path), path, node)
            out.append(item)
        return out

    def _index(self, base: Any, key: Any, path: KeyPath, node: Any) -> Any:
        if isinstance(base, list):
            number = self._number(key, path, node)
            if number != number.to_integral_value() or not 0 <= number < len(base):
                raise self.fail(path, node, f"Invalid index: {_number_text(number)} is not an index of a tuple of {len(base)} element(s)")
            return base[int(number)]
        if isinstance(base, dict):
            text = key if isinstance(key, str) else _number_text(key) if isinstance(key, Decimal) else None
            if text is None or text not in base:
                raise self.fail(path, node, f"Invalid index: the object has no attribute {text!r}")
            return base[text]
        raise self.fail(path, node, f"Unsupported attribute: a {_type_name(base)} has no attributes or elements")

    def _for(self, node: Tree, path: KeyPath) -> Any:
        intro = next(c for c in node.children if isinstance(c, Tree) and c.data == "for_intro")
        names = [str(c.children[0]) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
        collection = self._value(next(c for c in reversed(intro.children) if isinstance(c, Tree) and c.data not in ("identifier", "new_line_or_comment")), path)
        rest = [c for c in node.children if isinstance(c, Tree) and c.data not in ("for_intro", "new_line_or_comment")]
        condition = next((c for c in rest if c.data == "for_cond"), None)
        exprs = [c for c in rest if c.data != "for_cond"]
        grouped = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
        if isinstance(collection, list):
            pairs = [(Decimal(i), v) for i, v in enumerate(collection)]
        elif isinstance(collection, dict):
            pairs = sorted(collection.items())
        else:
            raise self.fail(path, node, f"Iteration over non-iterable value: a {_type_name(collection)}")
        saved = dict(self.scope)
        results_list: list[Any] = []
        results_map: dict[str, Any] = {}
        try:
            for key, item in pairs:
                if len(names) == 2:
                    self.scope[names[0]], self.scope[names[1]] = key, item
                else:
                    self.scope[names[0]] = item
                if condition is not None:
                    keep = self._value(self._elements(condition)[0], path)
                    if not self._bool(keep, path, condition):
                        continue
                if node.data == "for_tuple_expr":
                    results_list.append(self._value(exprs[0], path))
                    continue
                k = self._value(exprs[0], path)
                k = _number_text(k) if isinstance(k, Decimal) else ("true" if k else "false") if isinstance(k, bool) else k
                if not isinstance(k, str):
                    raise self.fail(path, node, f"Invalid object key: a {_type_name(k)}")
                v = self._value(exprs[1], path)
                if grouped:
                    results_map.setdefault(k, []).append(v)
                elif k in results_map:
                    raise self.fail(path, node, f"Duplicate object key: {k!r} twice; add ... to group them")
                else:
                    results_map[k] = v
        finally:
            self.scope = saved
        return results_list if node.data == "for_tuple_expr" else results_map

    # --- operators -------------------------------------------------------------------------

    def _number(self, value: Any, path: KeyPath, node: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, str) and _NUMBER.match(value):
            return Decimal(value)
        raise self.fail(path, node, f"Invalid operand: a number is required, not {_type_name(value)} {value!r}")

    def _bool(self, value: Any, path: KeyPath, node: Any) -> bool:
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise self.fail(path, node, f"Invalid operand: a bool is required, not {_type_name(value)}")

    def _binary(self, node: Tree, path: KeyPath) -> Any:
        left = self._value(node.children[0], path)
        term = node.children[1]
        operator = str(term.children[0].children[0]) if isinstance(term.children[0], Tree) else str(term.children[0])
        right_node = [c for c in term.children[1:] if isinstance(c, Tree) and c.data != "new_line_or_comment"][0]
        right = self._value(right_node, path)
        if operator in ("==", "!="):
            same = type(left) is type(right) and left == right or (left is None and right is None)
            return same if operator == "==" else not same
        if operator in ("&&", "||"):
            a, b = self._bool(left, path, node), self._bool(right, path, node)
            return (a and b) if operator == "&&" else (a or b)
        a, b = self._number(left, path, node), self._number(right, path, node)
        with localcontext() as ctx:
            ctx.prec = 100
            try:
                if operator == "+":
                    return a + b
                if operator == "-":
                    return a - b
                if operator == "*":
                    return a * b
                if operator == "/":
                    if b == 0:
                        raise self.fail(path, node, "Error in function call: division by zero")
                    return a / b
                if operator == "%":
                    if b == 0:
                        raise self.fail(path, node, "Error in function call: division by zero")
                    return a - b * (a / b).to_integral_value(rounding="ROUND_DOWN")
            except InvalidOperation:
                raise self.fail(path, node, "Invalid operand: the result is not a number") from None
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[operator]

    def _conditional(self, node: Tree, path: KeyPath) -> Any:
        parts = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        condition = self._bool(self._value(parts[0], path), path, node)
        chosen = self._value(parts[1] if condition else parts[2], path)
        other = self._value(parts[2] if condition else parts[1], path)
        # HCL unifies the two results' types: a string and a number or bool give a string.
        if chosen is not None and other is not None and _type_name(chosen) != _type_name(other):
            kinds = {_type_name(chosen), _type_name(other)}
            if kinds <= {"string", "number", "bool"} and "string" in kinds:
                return self._text(chosen, path, node)
            if kinds <= {"string", "number", "bool"}:
                raise self.fail(path, node, f"Inconsistent conditional result types: {' and '.join(sorted(kinds))}")
        return chosen

    # --- templates -------------------------------------------------------------------------

    def _text(self, value: Any, path: KeyPath, node: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Decimal):
            return _number_text(value)
        what = "null" if value is None else f"a {_type_name(value)}"
        raise self.fail(path, node, f"Invalid template interpolation value: the value is {what}, not a string, number or bool")

    def template(self, parts: list[tuple[str, Any]], path: KeyPath, node: Any) -> Any:
        """Parts: ("lit", text), ("expr", tree), ("if", tree), ("else", None), ("endif", None)."""
        if len(parts) == 1 and parts[0][0] == "expr":
            return self._value(parts[0][1], path)  # a lone interpolation keeps its type
        out: list[str] = []
        stack: list[tuple[bool, bool]] = []  # (this branch on, outer on)
        on = True
        for kind, item in parts:
            if kind == "if":
                stack.append((on, on))
                condition = self._bool(self._value(item, path), path, node) if on else False
                on = on and condition
                stack[-1] = (condition, stack[-1][1])
            elif kind == "else":
                condition, outer = stack[-1]
                on = outer and not condition
            elif kind == "endif":
                _, outer = stack.pop()
                on = outer
            elif on and kind == "lit":
                out.append(item)
            elif on and kind == "expr":
                out.append(self._text(self._value(item, path), path, node))
        return "".join(out)

    def _string_parts(self, node: Tree, path: KeyPath) -> list[tuple[str, Any]]:
        parts: list[tuple[str, Any]] = []
        for part in node.children:
            if not isinstance(part, Tree):
                continue  # the quotes
            piece = part.children[0]
            if isinstance(piece, Token):
                if piece.type == "STRING_CHARS":
                    parts.append(("lit", self._unescape(str(piece), path, part)))
                else:  # $${ or %%{: a literal ${ or %{
                    parts.append(("lit", str(piece)[1:]))
                continue
            if piece.data == "interpolation":
                parts.append(("expr", self._elements(piece)[0]))
            elif piece.data == "template_if_start":
                if any(isinstance(t, Token) and t.type == "STRIP_MARKER" for t in piece.children):
                    raise _Unsupported("a template strip marker (~)")
                parts.append(("if", self._elements(piece)[0]))
            elif piece.data == "template_else":
                parts.append(("else", None))
            elif piece.data == "template_endif":
                parts.append(("endif", None))
            else:
                raise _Unsupported("a %{ for } template directive")
            if any(isinstance(t, Token) and t.type == "STRIP_MARKER" for t in piece.children):
                raise _Unsupported("a template strip marker (~)")
        return parts

    def _unescape(self, raw: str, path: KeyPath, node: Any) -> str:
        def one(match: re.Match[str]) -> str:
            if match.group(1) or match.group(2):
                return chr(int(match.group(1) or match.group(2), 16))
            if match.group(3) in _SIMPLE_ESCAPES:
                return _SIMPLE_ESCAPES[match.group(3)]
            raise self.fail(path, node, f"Invalid escape sequence: \\{match.group(3)} (a string allows \\n \\r \\t \\\" \\\\ \\uNNNN \\UNNNNNNNN)")

        return _ESCAPE.sub(one, raw)

    def _heredoc_parts(self, node: Tree, path: KeyPath) -> list[tuple[str, Any]]:
        token = node.children[0]
        raw = str(token)
        opener = _HEREDOC_OPEN.match(raw)
        assert opener, raw
        flush = opener.group(1) == "-"
        body = raw[opener.end():]
        # The closing marker is the last line; everything before it, newlines included, is content.
        closing = body.rstrip("\r\n").rfind("\n")
        content = body[: closing + 1] if closing >= 0 else ""
        lines = content.splitlines(keepends=True)
        first_line = (token.line or 1) + 1
        if flush:
            lines = _flush(lines)
        parts: list[tuple[str, Any]] = []
        for offset, text in enumerate(lines):
            parts.extend(self._heredoc_line(text, first_line + offset, path, node))
        merged: list[tuple[str, Any]] = []
        for part in parts:
            if merged and part[0] == "lit" and merged[-1][0] == "lit":
                merged[-1] = ("lit", merged[-1][1] + part[1])
            else:
                merged.append(part)
        return merged

    def _heredoc_line(self, text: str, line: int, path: KeyPath, node: Any) -> list[tuple[str, Any]]:
        """One heredoc line as template parts: `${ ... }` parsed as an expression at its line."""
        parts: list[tuple[str, Any]] = []
        i = 0
        literal = []
        while i < len(text):
            if text.startswith(("$${", "%%{"), i):
                literal.append(text[i + 1 : i + 3])
                i += 3
            elif text.startswith("${", i):
                end = _closing_brace(text, i + 2)
                if end < 0:
                    raise _Unsupported("an interpolation that spans lines in a heredoc")
                if literal:
                    parts.append(("lit", "".join(literal)))
                    literal = []
                parts.append(("expr", _expression(text[i + 2 : end], line)))
                i = end + 1
            elif text.startswith("%{", i):
                raise _Unsupported("a template directive in a heredoc")
            else:
                literal.append(text[i])
                i += 1
        if literal:
            parts.append(("lit", "".join(literal)))
        return parts


# Go's unicode.IsSpace, which hclsyntax uses to measure indentation (not Python's isspace).
_GO_SPACE = "\t\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _flush(lines: list[str]) -> list[str]:
    """`<<-` heredoc lines without their common indentation (hclsyntax flushHeredocTemplateParts):
    blank lines do not count and keep theirs; a line starting with `${` counts as no indentation."""
    widths = []
    for text in lines:
        stripped = text.lstrip(_GO_SPACE)
        if stripped in ("\n", "\r\n", ""):
            widths.append(None)
        else:
            widths.append(len(text) - len(stripped))
    counted = [w for w in widths if w is not None]
    smallest = min(counted, default=0)
    return [text if width is None else text[smallest:] for text, width in zip(lines, widths)]


def _closing_brace(text: str, i: int) -> int:
    depth = 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _expression(source: str, line: int) -> Tree:
    """An expression's tree, with its line numbers where it stands in the file."""
    tree = parses_to_tree("\n" * (line - 1) + "x = (" + source + ")")
    attribute = _child(tree, "body").children
    node = next(c for c in attribute if isinstance(c, Tree) and c.data == "attribute")
    return node.children[-1]
