"""Edit an env profile (catalog/envs/<env>.yaml) as text, so its comments and layout stay and a
review sees only the lines that changed. Used by promote, rollback and rollout.

A path names a value by its keys from the top: ("tfvars", "golden_image", "image_version").
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import GeneratorError

Path = tuple[str, ...]


def _compose(text: str) -> yaml.Node:
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _child(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(((k, v) for k, v in node.value if k.value == key), None)


def _mapping(text: str, path: Path) -> yaml.MappingNode:
    node = _compose(text)
    for key in path:
        found = _child(node, key)
        node = found[1] if found else None
    if not isinstance(node, yaml.MappingNode):
        raise GeneratorError(f"the profile has no {'.'.join(path)} mapping")
    return node


def flow(value: Any) -> str:
    """A YAML flow literal on one line: {a: 1, b: [x, y]}."""
    return yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False).strip().removesuffix("...").strip()


def set_value(text: str, path: Path, literal: str) -> str:
    """`text` with the value at `path` replaced by `literal` (YAML text), or, when the key is not
    there, the key added as the first entry of its mapping."""
    parent = _mapping(text, path[:-1])
    found = _child(parent, path[-1])
    if found is not None:
        value = found[1]
        return text[: value.start_mark.index] + literal + text[value.end_mark.index:]
    first_key = parent.value[0][0]
    line_start = text.rfind("\n", 0, first_key.start_mark.index) + 1
    indent = " " * first_key.start_mark.column
    return text[:line_start] + f"{indent}{path[-1]}: {literal}\n" + text[line_start:]


def set_block_mapping(text: str, path: Path, entries: dict[str, Any]) -> str:
    """`text` with the mapping at `path` set to `entries`, one `name: {flow}` line each, as a
    block (a one-line diff per entry). Added after the last entry of its parent when absent."""
    parent = _mapping(text, path[:-1])
    indent = " " * parent.value[0][0].start_mark.column
    lines = "".join(f"{indent}  {name}: {flow(value)}\n" for name, value in entries.items())
    found = _child(parent, path[-1])
    if found is not None:
        key, value = found
        start = text.rfind("\n", 0, key.start_mark.index) + 1
        end = _line_end(text, value.end_mark.index if value.end_mark.column else value.end_mark.index - 1)
        return text[:start] + f"{indent}{path[-1]}:\n" + lines + text[end:]
    last = parent.value[-1][1]
    end = _line_end(text, last.end_mark.index - (0 if last.end_mark.column else 1))
    return text[:end] + f"{indent}{path[-1]}:\n" + lines + text[end:]


def _line_end(text: str, index: int) -> int:
    """The index just past the end of the line holding `index`."""
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1
