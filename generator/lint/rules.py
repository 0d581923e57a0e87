"""Lint the rendered modules: terraform fmt, python-hcl2 parse + round trip, catalog consistency.

python-hcl2 parses every .tf file, and the parse feeds the rules:
- catalog-variable: every catalog variable is declared with the catalog's type, default, description
- undeclared-variable / unused-variable: every `var.X` is declared; every declared variable is used
- catalog-output: every catalog output is declared, and every declared output is in the catalog
- roundtrip: loads -> dumps -> loads gives the same data (comments aside)
`terraform fmt -check` covers syntax and canonical formatting, which an hcl2 round trip cannot
(python-hcl2 accepts some text Terraform rejects).
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

import hcl2
from hcl2 import SerializationOptions

from ..catalog.load import load_catalogs
from ..catalog.model import Catalog
from ..errors import TerraformError
from ..render.format import fmt_check, fmt_files
from ..textfile import read_text

# v7-shaped data: plain strings (escapes resolved), no comments, bodies without __is_block__.
PLAIN = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
# Round-trippable shape (dumps needs the quoted-string form).
EXACT = SerializationOptions(with_comments=False)

_VAR_REF = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)")


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class ParsedFile:
    path: Path
    rel: str
    text: str
    data: dict[str, Any]

    def line_of(self, pattern: str) -> int:
        match = re.search(pattern, self.text, re.M)
        return self.text.count("\n", 0, match.start()) + 1 if match else 1


def _tf_files(module_dir: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(module_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath, f) for f in sorted(filenames) if f.endswith(".tf")]
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _blocks(data: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """{label: body} for top-level blocks of one kind (`variable`, `output`)."""
    return {label.strip('"'): body for entry in data.get(kind, []) for label, body in entry.items()}


def _expr(value: Any) -> str:
    """A type expression, comparable: `${list(string)}` -> `list(string)`, without whitespace and
    commas (object type attributes may be separated by either)."""
    text = str(value)
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    return re.sub(r"[\s,]+", "", text)


def _literal(value: Any) -> Any:
    """Undo the `$${` escaping in parsed string literals so they compare with catalog text."""
    if isinstance(value, str):
        return value.replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, list):
        return [_literal(v) for v in value]
    if isinstance(value, dict):
        return {k: _literal(v) for k, v in value.items()}
    return value


# python-hcl2 takes ~100 ms per few hundred lines; the same text always parses the same, so
# parses are cached by content (lint runs over many unchanged files, e.g. in tests).
@functools.lru_cache(maxsize=512)
def _parse(text: str) -> dict[str, Any]:
    return hcl2.loads(text, serialization_options=PLAIN)


def parse_module(root: Path, module_dir: Path) -> tuple[list[ParsedFile], list[Finding]]:
    parsed, findings = [], []
    for path in _tf_files(module_dir):
        rel = path.relative_to(root).as_posix()
        text = read_text(path, rel)
        try:
            parsed.append(ParsedFile(path, rel, text, _parse(text)))
        except Exception as exc:  # python-hcl2 raises lark errors of many kinds
            line = getattr(exc, "line", 1) or 1
            findings.append(Finding(rel, line, "parse", f"python-hcl2 cannot parse this file: {str(exc).splitlines()[0]}"))
            continue
        findings += check_roundtrip(rel, text)
    return parsed, findings


def check_roundtrip(rel: str, text: str) -> list[Finding]:
    return [Finding(rel, line, "roundtrip", message) for line, message in _roundtrip_problems(text)]


@functools.lru_cache(maxsize=512)
def _roundtrip_problems(text: str) -> tuple[tuple[int, str], ...]:
    try:
        first = hcl2.loads(text, serialization_options=EXACT)
        second = hcl2.loads(hcl2.dumps(first), serialization_options=EXACT)
    except Exception as exc:
        return ((1, f"python-hcl2 cannot write this file back: {str(exc).splitlines()[0]}"),)
    if first == second:
        return ()
    before = json.dumps(first, indent=1, sort_keys=True).splitlines()
    after = json.dumps(second, indent=1, sort_keys=True).splitlines()
    first_diff = next((b for a, b in zip(before, after) if a != b), "")
    return ((1, f"loads -> dumps -> loads changed the data, first at: {first_diff.strip()[:160]}"),)


def check_catalog(catalog: Catalog, files: list[ParsedFile], relative: str) -> list[Finding]:
    """Catalog <-> HCL consistency for the module's own (top-level) files."""
    findings = []
    variables_file = next((f for f in files if f.path.name == "variables.tf"), None)
    outputs_file = next((f for f in files if f.path.name == "outputs.tf"), None)
    declared: dict[str, tuple[ParsedFile, dict[str, Any]]] = {}
    outputs: dict[str, tuple[ParsedFile, dict[str, Any]]] = {}
    for f in files:
        declared.update({name: (f, body) for name, body in _blocks(f.data, "variable").items()})
        outputs.update({name: (f, body) for name, body in _blocks(f.data, "output").items()})

    anchor = variables_file.rel if variables_file else f"{relative}/variables.tf"
    for v in catalog.variables:
        if v.name not in declared:
            findings.append(Finding(anchor, 1, "catalog-variable", f"variable {v.name!r} from the catalog is not declared"))
            continue
        f, body = declared[v.name]
        line = f.line_of(rf'^variable\s+"{re.escape(v.name)}"')
        if _expr(body.get("type", "")) != _expr(v.type):
            findings.append(Finding(f.rel, line, "catalog-variable", f"{v.name}: type is {_expr(body.get('type'))}, the catalog says {v.type}"))
        if v.has_default != ("default" in body):
            findings.append(Finding(f.rel, line, "catalog-variable", f"{v.name}: {'has no' if v.has_default else 'has a'} default, the catalog says {'optional' if v.has_default else 'required'}"))
        elif v.has_default and _literal(body["default"]) != v.default:
            findings.append(Finding(f.rel, line, "catalog-variable", f"{v.name}: default is {json.dumps(_literal(body['default']))}, the catalog says {json.dumps(v.default)}"))
        if _literal(body.get("description")) != v.description:
            findings.append(Finding(f.rel, line, "catalog-variable", f"{v.name}: description differs from the catalog"))

    # var.X references outside variable blocks (a validation may only refer to its own variable).
    used: dict[str, tuple[ParsedFile, str]] = {}
    for f in files:
        for kind, blocks in f.data.items():
            if kind == "variable":
                continue
            for text in _strings(blocks):
                for name in _VAR_REF.findall(text):
                    used.setdefault(name, (f, name))
    for name, (f, _) in sorted(used.items()):
        if name not in declared:
            findings.append(Finding(f.rel, f.line_of(rf"\bvar\.{re.escape(name)}\b"), "undeclared-variable", f"var.{name} is used but not declared"))
    for name, (f, _) in sorted(declared.items()):
        if name not in used:
            findings.append(Finding(f.rel, f.line_of(rf'^variable\s+"{re.escape(name)}"'), "unused-variable", f"variable {name!r} is declared but never used"))

    anchor = outputs_file.rel if outputs_file else f"{relative}/outputs.tf"
    catalog_outputs = {o.name for o in catalog.outputs}
    for o in catalog.outputs:
        if o.name not in outputs:
            findings.append(Finding(anchor, 1, "catalog-output", f"output {o.name!r} from the catalog is not declared"))
    for name, (f, _) in sorted(outputs.items()):
        if name not in catalog_outputs:
            findings.append(Finding(f.rel, f.line_of(rf'^output\s+"{re.escape(name)}"'), "catalog-output", f"output {name!r} is not in the catalog"))
    return findings


def lint_dir(root: Path, catalog: Catalog, relative: str) -> list[Finding]:
    """Lint one rendered directory of a catalog (a module, or one env of a root catalog)."""
    module_dir = root / relative
    if not module_dir.is_dir():
        return [Finding(relative, 1, "missing-module", "not rendered yet: run `avdgen render`")]
    unformatted, errors = fmt_check([relative], cwd=root)
    findings = [Finding(p, _first_unformatted_line(root / p), "fmt", "not formatted as `terraform fmt` would") for p in unformatted]
    if errors:
        findings.append(Finding(relative, 1, "fmt", " ".join(errors.split())[:300]))
    parsed, parse_findings = parse_module(root, module_dir)
    own = [f for f in parsed if f.path.parent == module_dir]  # examples are root modules of their own
    return findings + parse_findings + check_catalog(catalog, own, relative)


def _first_unformatted_line(path: Path) -> int:
    """The first line `terraform fmt` would change (1 when it cannot tell)."""
    try:
        text = path.read_text(encoding="utf-8")
        formatted = fmt_files({PurePosixPath(path.name): text})[PurePosixPath(path.name)]
    except (OSError, UnicodeDecodeError, TerraformError):
        return 1
    before, after = text.splitlines(), formatted.splitlines()
    return next((i for i, (a, b) in enumerate(zip(before, after), 1) if a != b), min(len(before), len(after)) + 1)


def lint_project(root: Path) -> list[Finding]:
    return sorted(f for catalog in load_catalogs(root) for d in catalog.output_dirs for f in lint_dir(root, catalog, d.as_posix()))
