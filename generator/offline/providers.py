"""Which providers a configuration needs, and at which version the offline provider serves each.

Terraform reads `required_providers` in every module (the root, its local sub-modules, and the
installed ones listed in `.terraform/modules/modules.json`); a provider a module uses without
declaring it (a `resource "random_string"`, a `provider "null"` block) is `hashicorp/<name>`
(https://developer.hashicorp.com/terraform/language/providers/requirements#implicit-provider-source-addresses).
Its version constraints from all modules combine: every one must hold.

A provider is served when it has a schema: one vendored in `schemas/` (written from the
provider's docs, at the version in `VENDORED`), or one in a `--schemas` directory
(AVDGEN_OFFLINE_SCHEMAS). The version is the schema's own when the constraints allow it, else
one they allow (a schema for 4.79.0 is then served as, say, 3.117.0). A provider without a
schema is refused with a message that says how to add one.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GeneratorError
from .versions import Condition, ConstraintError, parse_constraint, pick

HOSTNAME = "registry.terraform.io"

# (namespace, type) -> the version each vendored schema describes (see schemas/SOURCES.md).
VENDORED: dict[tuple[str, str], str] = {
    ("hashicorp", "azurerm"): "4.79.0",
    ("azure", "azapi"): "2.5.0",  # Terraform normalises "Azure/azapi" to lower case
    ("hashicorp", "time"): "0.13.1",
    ("hashicorp", "random"): "3.7.2",
    ("hashicorp", "null"): "3.2.4",
    ("azure", "modtm"): "0.3.5",
    ("hashicorp", "azuread"): "3.4.0",
}
# Terraform's own provider (terraform_data, terraform_remote_state) needs no installing.
_BUILTIN = "terraform.io/builtin/terraform"


@dataclass
class Requirement:
    """One provider the configuration needs: its address and every constraint on it, with where
    each came from (for messages)."""

    address: str  # registry.terraform.io/hashicorp/random, lower case
    conditions: list[Condition] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)

    @property
    def namespace(self) -> str:
        return self.address.split("/")[1]

    @property
    def name(self) -> str:
        return self.address.split("/")[2]

    @property
    def constraint(self) -> str:
        return ", ".join(str(c) for c in self.conditions)


def source_address(source: str) -> str:
    """`Azure/azapi` -> `registry.terraform.io/azure/azapi`; `random` -> `.../hashicorp/random`."""
    parts = source.strip().lower().split("/")
    if len(parts) == 1:
        parts = [HOSTNAME, "hashicorp", *parts]
    elif len(parts) == 2:
        parts = [HOSTNAME, *parts]
    return "/".join(parts)


# --- reading configurations ---------------------------------------------------------------------
# python-hcl2 takes seconds for a few modules; only a handful of constructs matter here, so a
# small scanner finds them: top-level `resource`/`data`/`ephemeral`/`provider`/`module`/
# `terraform` blocks, `module.source`, and `terraform.required_providers` entries.

_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_HEADER = re.compile(r'(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_-]*)((?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][A-Za-z0-9_-]*))*)[ \t]*\{')
_LABEL = re.compile(r'"([^"\n]*)"|([A-Za-z_][A-Za-z0-9_-]*)')
_ATTRIBUTE = re.compile(r'(?m)(?:^|(?<=[,{]))[ \t]*([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=(?![=>])[ \t]*')


_INTERESTING = re.compile(r'[#/"<]')
_IN_STRING = re.compile(r'[\\"\n$%]')


def _mask(text: str) -> str:
    """`text`, same length, with comments blanked and the insides of strings and heredocs
    replaced by `x`: braces and keywords are then found only in the structure."""
    out = list(text)
    n = len(text)

    def string_end(j: int) -> int:  # just past the string whose opening quote is at j - 1
        while j < n:
            found = _IN_STRING.search(text, j)
            if not found:
                return n
            j = found.start()
            c = text[j]
            if c == "\\":
                j += 2
            elif c == '"':
                return j + 1
            elif c == "\n":
                return j  # unterminated: Terraform reports it
            elif text.startswith(("${", "%{"), j):
                depth, j = 1, j + 2
                while j < n and depth:
                    if text[j] == '"':
                        j = string_end(j + 1)
                        continue
                    depth += (text[j] == "{") - (text[j] == "}")
                    j += 1
            else:
                j += 1
        return n

    i = 0
    while i < n:
        found = _INTERESTING.search(text, i)
        if not found:
            break
        i = found.start()
        c = text[i]
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
        elif c == '"':
            end = string_end(i + 1)
            out[i + 1 : max(i + 1, end - 1)] = "x" * max(0, end - 1 - (i + 1))
            i = end
            continue
        elif c == "<" and (m := _HEREDOC.match(text, i)):
            found = re.compile(rf"(?m)^[ \t]*{re.escape(m.group(1))}[ \t]*\r?$").search(text, m.end())
            end = found.end() if found else n
            out[m.end() : end] = ["\n" if ch == "\n" else "x" for ch in text[m.end() : end]]
            i = end
            continue
        else:
            i += 1
            continue
        out[i:end] = ["\n" if ch == "\n" else " " for ch in text[i:end]]
        i = end
    return "".join(out)


def _close(masked: str, at: int) -> int:
    """The index of the bracket closing the one at `at` (the end of the text if none)."""
    depth = 0
    for k in range(at, len(masked)):
        c = masked[k]
        if c in "{[(":
            depth += 1
        elif c in "}])":
            depth -= 1
            if depth == 0:
                return k
    return len(masked)


class _Body:
    """A span of a configuration file: the file's top level or a block's body."""

    def __init__(self, text: str, masked: str, start: int = 0, end: int | None = None) -> None:
        self.text, self.masked, self.start = text, masked, start
        self.end = len(text) if end is None else end

    def blocks(self) -> Iterable[tuple[str, list[str], _Body]]:
        """(type, labels, body) of each block directly inside."""
        i = self.start
        while m := _HEADER.search(self.masked, i, self.end):
            close = _close(self.masked, m.end() - 1)
            labels = [a or b for a, b in _LABEL.findall(self.text[m.start(2) : m.end(2)])]
            yield m.group(1), labels, _Body(self.text, self.masked, m.end(), close)
            i = close + 1

    def attributes(self) -> Iterable[tuple[str, _Body]]:
        """(name, value span) of each attribute directly inside (not those in nested blocks)."""
        i = self.start
        while m := _ATTRIBUTE.search(self.masked, i, self.end):
            block = _HEADER.search(self.masked, i, m.start())
            if block:  # a nested block comes first: skip it
                i = _close(self.masked, block.end() - 1) + 1
                continue
            j = m.end()
            if j < self.end and self.masked[j] in "{[(":
                stop = _close(self.masked, j) + 1
            else:
                ends = [k for k in (self.masked.find("\n", j, self.end), self.masked.find(",", j, self.end)) if k >= 0]
                stop = min(ends) if ends else self.end
            yield m.group(1), _Body(self.text, self.masked, j, stop)
            i = stop

    def string(self) -> str | None:
        """The value when it is one plain string literal."""
        # Comments are blank in the masked text: the literal ends where that stops being blank.
        end = self.start + len(self.masked[self.start : self.end].rstrip())
        value = self.text[self.start : end].strip()
        if len(value) >= 2 and value[0] == value[-1] == '"' and "${" not in value and "%{" not in value:
            try:
                return json.loads(value)
            except ValueError:
                return None
        return None

    def inner(self) -> _Body:
        """An object value's inside (`{ ... }` -> `...`)."""
        return _Body(self.text, self.masked, self.start + 1, max(self.start + 1, self.end - 1))


def _top_level(text: str) -> _Body:
    return _Body(text, _mask(text))


def _blocks_of(path: Path) -> list[tuple[str, list[str], _Body]]:
    try:
        stat = path.stat()
    except OSError:
        return []
    return _blocks_cached(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _blocks_cached(name: str, size: int, mtime_ns: int) -> list[tuple[str, list[str], _Body]]:
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # terraform init reports an unreadable file
    if path.name.endswith(".tf.json"):
        return _json_blocks(text)
    return list(_top_level(text).blocks())


def _json_blocks(text: str) -> list[tuple[str, list[str], _Body]]:
    """The same constructs from the JSON syntax, as HCL spans to read them alike."""
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    lines: list[str] = []
    for kind, value in doc.items() if isinstance(doc, dict) else ():
        for entry in value if isinstance(value, list) else [value]:
            if kind in ("resource", "data", "ephemeral", "module") and isinstance(entry, dict):
                for label, body in entry.items():
                    source = body.get("source") if kind == "module" and isinstance(body, dict) else None
                    inner = f"source = {json.dumps(source)}" if isinstance(source, str) else ""
                    labels = f'"{label}"' if kind == "module" else " ".join(f'"{t}"' for t in [label, "x"])
                    lines.append(f"{kind} {labels} {{\n{inner}\n}}")
            elif kind == "provider" and isinstance(entry, dict):
                lines += [f'provider "{name}" {{\n}}' for name in entry]
            elif kind == "terraform" and isinstance(entry, dict):
                for required in entry.get("required_providers", []) if isinstance(entry.get("required_providers"), list) else [entry.get("required_providers")]:
                    for name, spec in (required or {}).items() if isinstance(required, dict) else ():
                        if isinstance(spec, str):
                            spec = {"version": spec}
                        fields = "\n".join(f"{k} = {json.dumps(v)}" for k, v in spec.items() if isinstance(v, str)) if isinstance(spec, dict) else ""
                        lines.append(f"terraform {{\nrequired_providers {{\n{name} = {{\n{fields}\n}}\n}}\n}}")
    return list(_top_level("\n".join(lines) + "\n").blocks())


def _module_sources(blocks: list[tuple[str, list[str], _Body]]) -> list[str]:
    sources = []
    for kind, _, body in blocks:
        if kind == "module":
            for name, value in body.attributes():
                if name == "source" and (source := value.string()) is not None:
                    sources.append(source)
    return sources


def _required_providers(blocks: list[tuple[str, list[str], _Body]]) -> Iterable[tuple[str, dict[str, str]]]:
    """(local name, {"source": ..., "version": ...}) of each required_providers entry."""
    for kind, _, body in blocks:
        if kind != "terraform":
            continue
        for inner_kind, _, required in body.blocks():
            if inner_kind != "required_providers":
                continue
            for name, value in required.attributes():
                if (version := value.string()) is not None:  # the pre-0.13 form: name = "version"
                    yield name, {"version": version}
                elif value.text[value.start : value.start + 1] == "{":
                    fields = {k: v.string() for k, v in value.inner().attributes()}
                    yield name, {k: v for k, v in fields.items() if isinstance(v, str)}


def module_dirs(root: Path) -> list[Path]:
    """The root and every module directory Terraform would load: local sources, followed
    recursively, and those `terraform init` installed (`.terraform/modules/modules.json`)."""
    root = root.resolve()
    seen: list[Path] = []
    pending = [root]
    manifest = root / ".terraform" / "modules" / "modules.json"
    try:
        for entry in json.loads(manifest.read_text(encoding="utf-8")).get("Modules", []):
            if isinstance(entry, dict) and isinstance(entry.get("Dir"), str):
                pending.append((root / entry["Dir"]).resolve())
    except (OSError, ValueError, AttributeError):
        pass
    while pending:
        directory = pending.pop(0)
        if directory in seen or not directory.is_dir():
            continue
        seen.append(directory)
        for tf in _config_files(directory):
            for source in _module_sources(_blocks_of(tf)):
                if source.startswith(("./", "../")):
                    pending.append((directory / source).resolve())
    return seen


def _config_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith((".tf", ".tf.json")))


def requirements(root: Path) -> list[Requirement]:
    """Every provider the configuration at `root` needs, with the constraints of all its modules.
    Bad constraint syntax is a GeneratorError naming the file."""
    found: dict[str, Requirement] = {}

    def need(address: str, constraint: str | None, origin: str) -> None:
        if address == _BUILTIN:
            return
        req = found.setdefault(address, Requirement(address))
        if constraint:
            try:
                req.conditions.extend(parse_constraint(constraint))
            except ConstraintError as error:
                raise GeneratorError(f"{origin}: version constraint for {address}: {error}") from None
            req.origins.append(f"{origin} ({constraint!r})")
        elif origin not in req.origins:
            req.origins.append(origin)

    for directory in module_dirs(root):
        local: dict[str, str] = {}  # local name -> address, for this module
        files = [(tf, _blocks_of(tf)) for tf in _config_files(directory)]
        for tf, blocks in files:
            for name, spec in _required_providers(blocks):
                address = source_address(spec.get("source") or name)
                local[name] = address
                need(address, spec.get("version"), str(tf))
        for tf, blocks in files:
            used = [labels[0] for kind, labels, _ in blocks if kind == "provider" and labels]
            used += [labels[0].split("_", 1)[0] for kind, labels, _ in blocks if kind in ("resource", "data", "ephemeral") and labels]
            for name in used:
                if name not in local and name != "terraform":
                    local[name] = source_address(name)
                    need(local[name], None, str(tf))
    return sorted(found.values(), key=lambda r: r.address)


def schema_dir_providers(schemas_dir: Path | None) -> set[str]:
    """Provider addresses (lower case) held by the `*.schema.json` files in `schemas_dir`."""
    found: set[str] = set()
    for path in sorted(Path(schemas_dir).glob("*.schema.json")) if schemas_dir else ():
        try:
            stat = path.stat()
        except OSError:
            continue
        found |= _addresses_in(str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    return found


@functools.lru_cache(maxsize=64)
def _addresses_in(path: str, size: int, mtime_ns: int) -> frozenset[str]:
    try:
        doc = json.loads(Path(path).read_bytes())
    except (OSError, ValueError):
        return frozenset()  # the server reports an unreadable file when it is asked for it
    if isinstance(doc, dict) and isinstance(doc.get("provider_schemas"), dict):
        return frozenset(a.lower() for a in doc["provider_schemas"])
    return frozenset()


@dataclass(frozen=True)
class Resolved:
    namespace: str
    name: str
    version: str


def resolve(reqs: list[Requirement], schemas_dir: Path | None = None) -> list[Resolved]:
    """The (namespace, name, version) to serve for each requirement; GeneratorError naming
    every provider that has no schema or whose constraints no version satisfies."""
    from .schema import VENDORED_DIR

    # What the vendored files hold: the subsets here, and any provider `avdgen schema import` added.
    given = schema_dir_providers(schemas_dir)
    in_dir = given | schema_dir_providers(VENDORED_DIR)
    # The server finds a schema by the provider's type name (schema.schema_file).
    by_name = {a.rsplit("/", 1)[-1] for a in given} | {p.name.removesuffix(".schema.json") for p in VENDORED_DIR.glob("*.schema.json")}
    resolved, missing, impossible = [], [], []
    for req in reqs:
        host, namespace, name = req.address.split("/")
        known = (namespace, name) in VENDORED or req.address in in_dir
        if host != HOSTNAME or not known or name not in by_name:
            missing.append(req)
            continue
        version = pick(req.conditions, VENDORED.get((namespace, name)))
        if version is None:
            impossible.append(req)
            continue
        resolved.append(Resolved(namespace, name, str(version)))
    problems = [_no_schema(r, schemas_dir) for r in missing] + [
        f"provider {r.address}: no version satisfies all of its constraints ({r.constraint}), from "
        + "; ".join(r.origins)
        for r in impossible
    ]
    if problems:
        raise GeneratorError("\n".join(problems))
    return resolved


def _no_schema(req: Requirement, schemas_dir: Path | None) -> str:
    where = "; ".join(req.origins)
    have = ", ".join(f"{ns}/{n}" for ns, n in sorted(VENDORED)) + (
        f", and those in {schemas_dir}" if schemas_dir else ""
    )
    return (
        f"provider {req.address} has no schema for the offline providers to serve (required by {where}).\n"
        f"  Add one: where the real provider is installed, run `terraform providers schema -json > {req.name}.schema.json`,\n"
        f"  then `avdgen schema import {req.name}.schema.json` (adds it to the vendored set), or put the file in a\n"
        f"  directory and pass `--schemas DIR` (or set AVDGEN_OFFLINE_SCHEMAS). Served now: {have}."
    )


def default_versions() -> list[Resolved]:
    """Every vendored provider at the version its schema describes."""
    return [Resolved(ns, name, version) for (ns, name), version in VENDORED.items()]


def for_config(root: Path, schemas_dir: Path | None = None) -> list[Resolved]:
    return resolve(requirements(root), schemas_dir)
