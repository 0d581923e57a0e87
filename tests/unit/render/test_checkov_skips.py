"""Every inline checkov skip in templates/ names a check and says why (`make scan` honours them)."""

from __future__ import annotations

import re

from project_paths import REPO

# checkov's own syntax is `checkov:skip=<ID>:<reason>`, the reason being optional to checkov.
SKIP = re.compile(r"checkov:skip=(?P<rest>.*)$")
WITH_REASON = re.compile(r"^(?P<id>CKV2?_[A-Z0-9]+_\d+|CKV_SECRET_\d+):\s*(?P<reason>\S.{19,})$")


def _skips():
    for path in sorted((REPO / "templates").rglob("*.j2")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if match := SKIP.search(line):
                yield f"{path.relative_to(REPO)}:{number}", match["rest"].strip()


def test_every_checkov_skip_has_a_reason() -> None:
    skips = list(_skips())
    assert skips, "no checkov:skip found in templates/ (the README's Security scan section lists some)"
    bad = [f"{where}: {rest!r}" for where, rest in skips if not WITH_REASON.match(rest)]
    assert not bad, "each skip needs `# checkov:skip=CKV_..._N: reason` with a reason of a few words:\n" + "\n".join(bad)


def test_reason_pattern() -> None:
    assert not WITH_REASON.match("CKV_AZURE_50")
    assert not WITH_REASON.match("CKV_AZURE_50:")
    assert not WITH_REASON.match("CKV_AZURE_50: no")
    assert WITH_REASON.match("CKV_AZURE_50: AVD registers hosts through the DSC extension.")
