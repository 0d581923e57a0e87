"""Python values -> HCL literal text (what Jinja templates emit for catalog defaults and strings)."""

from __future__ import annotations

import json
import re
from typing import Any

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def hcl_string(text: str) -> str:
    """A quoted HCL string that means exactly `text`: JSON escapes plus HCL's template escapes."""
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted.replace("${", "$${").replace("%{", "%%{")


def hcl_literal(value: Any, indent: int = 0) -> str:
    """Render a YAML-loaded value (None, bool, number, str, list, dict) as an HCL expression."""
    pad = "  " * (indent + 1)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = [hcl_literal(v, indent + 1) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 80 and "\n" not in one_line:
            return one_line
        return "[\n" + "".join(f"{pad}{item},\n" for item in items) + "  " * indent + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for key, item in value.items():
            key_text = key if _IDENTIFIER.match(str(key)) else hcl_string(str(key))
            lines.append(f"{pad}{key_text} = {hcl_literal(item, indent + 1)}\n")
        return "{\n" + "".join(lines) + "  " * indent + "}"
    raise TypeError(f"cannot render {type(value).__name__} as HCL")
