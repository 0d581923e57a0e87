"""Check a tfvars file (HCL, or `.tfvars.json`) against a generated tfvars schema (issue 5).

`check_file(path, schema_path, display)` returns one Problem per error, each naming the file, the
line and the variable (`envs/dev/terraform.tfvars:19: variable golden_image.image_version: ...`),
with the catalog's own error message where the schema mirrors a validation. Input that cannot be
read or parsed raises TfvarsError (exit code 2).

An HCL file is read as Terraform reads it (tfvars_hcl.py: heredocs keep their last newline,
references, function calls and blocks are refused at their line, literal expressions are
evaluated); a `.tfvars.json` file is plain JSON, and its lines come from a small scanner over the
source text (`key_lines`).

Patterns are evaluated as ECMA-262 (JSON Schema's regex dialect, which editors use), not as Python
`re`: `$` is the end of the text only, and `.`, `\\d`, `\\w`, `\\s` keep their ECMA meaning.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from collections.abc import Callable
from typing import Any, Iterator

import jsonschema

from ..catalog.source import read_yaml
from ..catalog.value_schema import CONDITION, VALIDATION_OF
from ..errors import GeneratorError
from ..render.templates import has_header
from ..render.tfvars_schema import ENV_SCHEMA, MODULE_SCHEMA
from .tfvars_hcl import evaluate_condition, parse_tfvars

KeyPath = tuple[str | int, ...]

class TfvarsError(GeneratorError):
    """A tfvars file or schema that cannot be read or parsed (exit code 2)."""


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    variable: str
    message: str
    origin: str | None = None  # `catalog/envs/dev.yaml:23`: where a rendered env's value comes from

    def __str__(self) -> str:
        where = f" (set in {self.origin}: edit it there and run `avdgen render`)" if self.origin else ""
        return f"{self.file}:{self.line}: variable {self.variable}: {self.message}{where}"


# --- reading ---------------------------------------------------------------------------------------


def is_json(path: Path) -> bool:
    return path.name.endswith(".json")


@dataclass
class Tfvars:
    """A tfvars file as Terraform reads it, before any variable's type is checked."""

    values: dict[str, Any]
    lines: dict[KeyPath, int]  # where each name, object key and list element is
    duplicates: list[tuple[str, int, int]]  # (name, line, first line)
    refused: list[tuple[KeyPath, int, str]] = field(default_factory=list)  # what Terraform rejects outright
    broken: set[str] = field(default_factory=set)  # names whose value could not be read


def read_tfvars(path: Path, display: str) -> Tfvars:
    """A tfvars file's values and where they are; TfvarsError naming file:line when it does not parse."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TfvarsError(f"cannot read {display}: {getattr(exc, 'strerror', None) or exc}") from None
    if is_json(path):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TfvarsError("invalid tfvars file", [f"{display}:{exc.lineno}: {exc.msg}"]) from None
        if not isinstance(data, dict):
            raise TfvarsError("invalid tfvars file", [f"{display}:1: a .tfvars.json file holds one JSON object"])
        # Terraform reads a .tfvars.json without an evaluation context: "${...}" is plain text there.
        lines, duplicates = key_lines(text, json_mode=True)
        return Tfvars(data, lines, duplicates)
    try:
        parsed = parse_tfvars(text)
    except Exception as exc:  # python-hcl2 raises lark errors of many kinds
        line = getattr(exc, "line", None) or 1
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TfvarsError("invalid tfvars file", [f"{display}:{line}: python-hcl2 cannot parse it: {first}"]) from None
    refused = [(p.path, p.line, p.message) for p in parsed.problems]
    return Tfvars(parsed.values, parsed.lines, parsed.duplicates, refused, parsed.broken)


# Checking an env's schema against the 2020-12 metaschema takes ~0.5 s (jsonschema resolves
# the metaschema's $refs for every subschema); a schema text checked once in this process is
# not checked again (the tests validate hundreds of files against the same few schemas).
_VALID_SCHEMA_TEXTS: set[str] = set()


def read_schema(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        schema = json.loads(text)
    except OSError as exc:
        raise TfvarsError(f"cannot read schema {path}: {exc.strerror}", ["run `avdgen render` to generate it"]) from None
    except UnicodeDecodeError:
        raise TfvarsError(f"invalid schema {path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise TfvarsError(f"invalid schema {path}:{exc.lineno}: {exc.msg}") from None
    if text not in _VALID_SCHEMA_TEXTS:
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise TfvarsError(f"invalid schema {path}: {exc.message}") from None
        _VALID_SCHEMA_TEXTS.add(text)
    return schema


# --- where each key is ---------------------------------------------------------------------------

_PUNCT = re.compile(r"==|!=|>=|<=|=>|&&|\|\||\.\.\.|[{}\[\]()=:,?!<>+\-*/%.]")
_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, value, line): kind is 'str' (value unquoted, roughly), 'word' or 'punct'."""
    i, line, n = 0, 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch in " \t\r\ufeff":
            i += 1
        elif ch == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
        elif ch == '"':
            start, start_line = i, line
            i = _string_end(text, i)
            line += text.count("\n", start, i)
            raw = text[start:i]
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw[1:-1]
            yield "str", value, start_line
        elif text.startswith("<<", i) and (match := _HEREDOC.match(text, i)):
            start_line, marker = line, match.group(1)
            closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.M)
            end_match = closing.search(text, match.end())
            end = n if end_match is None else end_match.end()
            line += text.count("\n", i, end)
            yield "str", text[match.end():end], start_line
            i = end
        elif match := _WORD.match(text, i):
            yield "word", match.group(0), line
            i = match.end()
        elif match := _PUNCT.match(text, i):
            yield "punct", match.group(0), line
            i = match.end()
        else:
            i += 1


def _string_end(text: str, i: int) -> int:
    """Index just past the string literal starting at text[i] == '"' (templates may nest strings)."""
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == '"':
            return i + 1
        elif ch == "\n":
            return i  # unterminated: stop at the line's end
        elif text.startswith(("${", "%{"), i):
            depth, i = 1, i + 2
            while i < len(text) and depth:
                if text[i] == '"':
                    i = _string_end(text, i)
                    continue
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
        else:
            i += 1
    return i


@dataclass
class _Frame:
    kind: str  # object, list, paren
    path: KeyPath | None  # None: somewhere not tracked (inside a function call)
    key: str | None = None  # object: the latest key
    index: int = 0  # list: the current element
    started: bool = False  # list: the current element has begun


def key_lines(text: str, json_mode: bool = False) -> tuple[dict[KeyPath, int], list[tuple[str, int, int]]]:
    """({key path: line} for every object key and list element, [(top-level key, line, first
    line)] for keys given twice). Tolerant: what it cannot follow, it does not record."""
    lines: dict[KeyPath, int] = {}
    duplicates: list[tuple[str, int, int]] = []
    stack: list[_Frame] = [] if json_mode else [_Frame("object", ())]  # HCL: the file is the outer object
    tokens = list(_tokens(text))
    for at, (kind, value, line) in enumerate(tokens):
        top = stack[-1] if stack else None
        following = tokens[at + 1] if at + 1 < len(tokens) else None
        if top and top.kind == "object" and kind in ("word", "str") and following and following[:2] in (("punct", "="), ("punct", ":")):
            top.key = value
            if top.path is not None:
                path = (*top.path, value)
                if path in lines and not top.path:
                    duplicates.append((value, line, lines[path]))
                lines.setdefault(path, line)
            continue
        if top and top.kind == "list" and not top.started and not (kind == "punct" and value in ",]})"):
            top.started = True
            if top.path is not None:
                lines.setdefault((*top.path, top.index), line)
        if kind != "punct":
            continue
        if value in ("{", "["):
            if top is None:
                path: KeyPath | None = ()  # a JSON file's outer object
            elif top.path is None:
                path = None
            elif top.kind == "list":
                path = (*top.path, top.index)
            elif top.kind == "object" and top.key is not None:
                path = (*top.path, top.key)
            else:
                path = None
            stack.append(_Frame("object" if value == "{" else "list", path))
        elif value == "(":
            stack.append(_Frame("paren", None))
        elif value in ("}", "]", ")") and len(stack) > (0 if json_mode else 1):
            stack.pop()
        elif value == "," and top and top.kind == "list":
            top.index += 1
            top.started = False
    return lines, duplicates


def _line(lines: dict[KeyPath, int], path: KeyPath) -> int:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


# --- ECMA-262 patterns -------------------------------------------------------------------------

_ECMA_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_OUTSIDE = {"\\d": "[0-9]", "\\D": "[^0-9]", "\\w": "[A-Za-z0-9_]", "\\W": "[^A-Za-z0-9_]", "\\s": f"[{_ECMA_SPACE}]", "\\S": f"[^{_ECMA_SPACE}]"}
_INSIDE = {"\\d": "0-9", "\\w": "A-Za-z0-9_", "\\s": _ECMA_SPACE}


@lru_cache(maxsize=512)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """Compile an ECMA-262 pattern with Python `re`, keeping ECMA's meaning of `$`, `.`, `\\d`,
    `\\w` and `\\s` (Python's `$` also matches before a final newline; its classes are Unicode)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            out.append((_INSIDE.get(pair, pair)) if in_class else _OUTSIDE.get(pair, pair))
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
        elif ch == "$":
            out.append(r"\Z")
        elif ch == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")
        else:
            out.append(ch)
        i += 1
    return re.compile("".join(out))


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


# --- checking --------------------------------------------------------------------------------------


def _label(path: KeyPath) -> str:
    out = str(path[0])
    for part in path[1:]:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


def _annotations(schema: dict[str, Any], schema_path) -> tuple[str | None, str | None]:
    """The innermost `errorMessage` and `x-validation-of` on the way to the failing keyword."""
    message = owner = None
    node: Any = schema
    for part in schema_path:
        if isinstance(node, dict):
            message = node.get("errorMessage", message)
            owner = node.get(VALIDATION_OF, owner)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return message, owner


_TYPE_NAMES = {"string": "a string", "number": "a number", "boolean": "a bool", "array": "a list", "object": "an object", "null": "null", "integer": "a whole number"}


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _default_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"must be {' or '.join(_TYPE_NAMES.get(t, t) for t in expected)}, not {_short(error.instance)}"
    if error.validator == "enum":
        return f"{_short(error.instance)} is not one of {', '.join(_short(v) for v in error.validator_value)}"
    return error.message


def check_values(tfvars: Tfvars, schema: dict[str, Any], display: str, origin: Origin | None = None) -> list[Problem]:
    """Every way the file's values break `schema`, and what Terraform refuses before that, one
    Problem each, sorted by line. `origin` says where a value comes from (a profile line)."""
    lines = tfvars.lines
    problems: set[Problem] = set()

    def report(line: int, path: KeyPath, message: str, label: str | None = None) -> None:
        problems.add(Problem(display, line, label or _label(path), message, origin(path) if origin else None))

    for name, line, first in tfvars.duplicates:
        report(line, (name,), f"set twice (first at line {first}); Terraform rejects the file")
    for path, line, message in tfvars.refused:
        report(line, path, message)
    broken = tfvars.broken
    # Terraform gives an object's optional attributes their defaults (null, or the default it
    # declares) before any validation sees the value: so does the check.
    errors = list(Validator(schema).iter_errors(_object_defaults(tfvars.values, schema)))
    # A value of the wrong type is that one error: the validations' mirrors of the right type
    # would only add noise (a `not: {pattern}` fails on a number).
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type" and e.absolute_path}
    for error in errors:
        path: KeyPath = tuple(error.absolute_path)
        if error.validator != "type" and any(path[: len(t)] == t for t in mistyped):
            continue
        if "propertyNames" in error.relative_schema_path and isinstance(error.instance, str):
            path = (*path, error.instance)  # the offending key itself
        message, owner = _annotations(schema, error.schema_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict) and message is None:
            declared = error.schema.get("properties", {})
            for key in (k for k in error.instance if k not in declared):
                where = (*path, key)
                close = difflib.get_close_matches(key, list(declared), n=1)
                what = "a variable of this configuration" if not path else f"an attribute of {_label(path)}"
                hint = f"; did you mean {close[0]}?" if close else ""
                report(_line(lines, where), where, f"not {what}{hint}")
            continue
        if error.validator == "required" and message is None and (missing := re.match(r"^'(.+)' is a required property$", error.message)):
            where = (*path, missing.group(1))
            if where[0] in broken:
                continue  # reported where its value is
            what = "required variable has no value" if not path else "required attribute is missing"
            report(_line(lines, path) if path else 1, where, what)
            continue
        if owner is not None:
            # A check across variables: name the variable whose validation it mirrors. Not when a
            # value could not be read: the check would see the variable as unset.
            if broken:
                continue
            line = lines.get((owner,)) or _line(lines, path)
            report(line, (owner,), message or _default_message(error))
            continue
        if not path:
            report(1, (), message or _default_message(error), label="<file>")
            continue
        report(_line(lines, path), path, message or _default_message(error))
    if not broken:
        # Checks JSON Schema cannot say travel as HCL conditions: evaluated on the values with
        # their defaults, once every variable they read has passed the checks above.
        checked = {p.variable.split(".")[0].split("[")[0] for p in problems}
        given = _with_defaults(tfvars.values, schema)
        for entry in schema.get("allOf", []):
            condition = entry.get(CONDITION)
            if condition is None:
                continue
            reads = set(re.findall(r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)", condition))
            if reads & checked or not reads <= set(given):
                continue
            holds, why = evaluate_condition(condition, given)
            if not holds:
                owner = entry.get(VALIDATION_OF, "<file>")
                message = entry.get("errorMessage") or f"the condition {condition} does not hold"
                report(lines.get((owner,)) or 1, (owner,), message if why is None else f"{message} ({why})")
    return sorted(problems)


def _object_defaults(values: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties", {})
    return {name: _filled(value, properties.get(name, {})) for name, value in values.items()}


def _with_defaults(values: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The values as Terraform sees them: unset variables and optional object attributes take
    their defaults (an optional attribute without one is null)."""
    properties = schema.get("properties", {})
    out = _object_defaults(values, schema)
    for name, prop in properties.items():
        if name not in out and "default" in prop:
            out[name] = _filled(prop["default"], prop)
    return out


def _filled(value: Any, schema: dict[str, Any]) -> Any:
    if isinstance(value, dict) and schema.get("additionalProperties") is False and "properties" in schema:
        attributes, required = schema["properties"], set(schema.get("required", ()))
        out = {k: v for k, v in value.items() if k not in attributes}  # unknown ones, reported as such
        for a, attribute in attributes.items():
            if a in value and (value[a] is not None or a in required):
                out[a] = _filled(value[a], attribute)
            elif a not in required:
                out[a] = _filled(attribute.get("default"), attribute)
        return out
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        return {k: _filled(v, schema["additionalProperties"]) for k, v in value.items()}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_filled(v, schema["items"]) for v in value]
    return value


def check_file(path: Path, schema_path: Path, display: str | None = None, root: Path | None = None) -> list[Problem]:
    display = display or str(path)
    schema = read_schema(schema_path)
    return check_values(read_tfvars(path, display), schema, display, profile_origin(path, root))


Origin = Callable[[KeyPath], "str | None"]


def profile_origin(path: Path, root: Path | None) -> Origin | None:
    """For an env's rendered terraform.tfvars (envs/<env>/, with the generated header), where each
    value is set in its profile, catalog/envs/<env>.yaml: the file to edit. None for other files."""
    if root is None or path.name != "terraform.tfvars":
        return None
    env_dir = path.resolve().parent
    profile = root.resolve() / "catalog" / "envs" / f"{env_dir.name}.yaml"
    if env_dir.parent != root.resolve() / "envs" or not profile.is_file():
        return None
    try:
        if not has_header(path.read_text(encoding="utf-8")):
            return None  # a file of the user's own
        _, source = read_yaml(profile, root, "profile")
    except (OSError, UnicodeDecodeError, GeneratorError):
        return None  # the profile is reported by the commands that load it

    def origin(key: KeyPath) -> str | None:
        line = source.lines.get(("tfvars", *key)) if key else None
        return f"{source.where}:{line}" if line else None

    return origin




# --- which file, which schema -------------------------------------------------------------------


def tfvars_in(directory: Path) -> Path | None:
    for name in ("terraform.tfvars", "terraform.tfvars.json"):
        if (directory / name).is_file():
            return directory / name
    return None


def sibling_schema(path: Path) -> Path | None:
    for name in (ENV_SCHEMA, MODULE_SCHEMA):
        if (path.parent / name).is_file():
            return path.parent / name
    return None


def env_names(root: Path) -> list[str]:
    return sorted(p.parent.name for p in (root / "envs").glob(f"*/{ENV_SCHEMA}") if not p.parent.name.startswith("."))

# --- which file, against which schema (`avdgen validate-vars TARGET`) -----------------------------


class TargetUsageError(GeneratorError):
    """TARGET and the schema options name nothing that can be checked (the CLI shows it with its usage)."""


@dataclass(frozen=True)
class Target:
    tfvars: Path
    schema: Path
    display: str  # how messages name the tfvars file
    schema_display: str
    root: Path | None = None  # the project, when there is one


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def locate(target: str, schema_file: Path | None, module: str | None, env: str | None, find_root: Callable[[], Path]) -> Target:
    """The tfvars file TARGET names (a file, a directory holding terraform.tfvars, or an env) and
    the schema to check it against; `find_root` gives the project root, only when needed."""
    given = Path(target)
    root = None
    if given.is_file():
        tfvars = given
    elif given.is_dir():
        tfvars = tfvars_in(given)
        if tfvars is None:
            raise GeneratorError(f"{target}: no terraform.tfvars or terraform.tfvars.json in this directory")
    else:
        root = find_root()
        env_dir = root / "envs" / target
        tfvars = tfvars_in(env_dir) if "/" not in target and env_dir.is_dir() else None
        if tfvars is None:
            known = ", ".join(env_names(root)) or "none"
            raise GeneratorError(f"{target}: no such file, and no env of that name with a terraform.tfvars (envs: {known})")
        env = env if (schema_file or module or env) else target
    if module or env:
        root = root or find_root()
        schema = root / "modules" / module / MODULE_SCHEMA if module else root / "envs" / env / ENV_SCHEMA
    else:
        schema = schema_file or sibling_schema(tfvars)
        if schema is None:
            raise TargetUsageError(f"no schema beside {target}: pass --schema FILE, --module NAME or --env NAME")
    if root is None:
        try:
            root = find_root()
        except GeneratorError:
            root = None  # outside a project: show paths as given
    display = _display(tfvars, root) if tfvars != given else target
    return Target(tfvars, schema, display, _display(schema, root), root)
