"""Inputs/Outputs tables in terraform-docs' markdown-table format (v0.22+ delimiter rows).

Reproduces terraform-docs' rules (research/harness-anchors.md §6) for what our catalogs contain:
escaped names and anchors, `|`/`_` escaping outside code spans, JSON defaults with sorted keys,
`<pre>` blocks for multi-line values, byte-wise sort by name.
"""

from __future__ import annotations

import json
import re
from typing import Iterable

from ..catalog.model import Output, Variable

_CODE_SPAN = re.compile(r"(`[^`]*`)")


def escape_text(text: str) -> str:
    """Escape `|` and `_` outside backtick code spans; newlines become <br/>."""
    parts = _CODE_SPAN.split(text.strip())
    escaped = [p if p.startswith("`") and p.endswith("`") and len(p) > 1 else p.replace("|", "\\|").replace("_", "\\_") for p in parts]
    return "".join(escaped).replace("\n\n", "<br/><br/>").replace("\n", "<br/>")


def _anchor(kind: str, name: str) -> str:
    escaped = name.replace("_", "\\_")
    return f'<a name="{kind}_{name}"></a> [{escaped}](#{kind}\\_{escaped})'


def _code_cell(text: str) -> str:
    if "\n" in text:
        return "<pre>" + text.replace("\n", "<br/>") + "</pre>"
    return f"`{text}`"


def _default_cell(variable: Variable) -> str:
    if variable.required:
        return "n/a"
    return _code_cell(json.dumps(variable.default, indent=2, sort_keys=True, ensure_ascii=False))


def inputs_table(variables: Iterable[Variable]) -> str:
    rows = [
        "| Name | Description | Type | Default | Required |",
        "| ---- | ----------- | ---- | ------- | :------: |",
    ]
    for v in sorted(variables, key=lambda v: v.name.encode()):
        rows.append(
            f"| {_anchor('input', v.name)} | {escape_text(v.description) or 'n/a'} | {_code_cell(v.type)} "
            f"| {_default_cell(v)} | {'yes' if v.required else 'no'} |"
        )
    return "## Inputs\n\n" + "\n".join(rows) + "\n"


def outputs_table(outputs: Iterable[Output]) -> str:
    rows = ["| Name | Description |", "| ---- | ----------- |"]
    for o in sorted(outputs, key=lambda o: o.name.encode()):
        rows.append(f"| {_anchor('output', o.name)} | {escape_text(o.description) or 'n/a'} |")
    return "## Outputs\n\n" + "\n".join(rows) + "\n"
