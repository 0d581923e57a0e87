"""Every GitHub Action a rendered workflow uses is pinned to a full commit SHA with its release tag
in a comment (zizmor's unpinned-uses), and every pin comes from one place: catalog/pipelines.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.catalog.load import load_catalogs
from generator.ops.pipelines import load_action_pins, render_github_workflows
from profiles import every_workflow_branch
from project_paths import REPO

USES = re.compile(r"^\s*(?:- )?uses:\s*(?P<value>.*)$")
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+)@(?P<commit>[0-9a-f]{40}) # (?P<tag>v\d+(?:\.\d+)*)$")
TEMPLATE_USES = re.compile(r'^\{\{ "(?P<name>[^"]+)" \| action \}\}$')


def _workflows(root: Path) -> dict[str, str]:
    return {str(path): text for path, text in render_github_workflows(load_catalogs(root), root).items()}


def _uses(workflows: dict[str, str]) -> list[tuple[str, str]]:
    return [(f"{path}:{number}", match["value"]) for path, text in workflows.items()
            for number, line in enumerate(text.splitlines(), 1) if (match := USES.match(line))]


@pytest.fixture
def every_branch(project: Path) -> dict[str, str]:
    return _workflows(every_workflow_branch(project))


def test_every_uses_is_a_commit_of_the_catalog_with_its_tag(every_branch):
    pins = load_action_pins(REPO)
    committed = {str(p.relative_to(REPO)): p.read_text() for p in sorted((REPO / ".github/workflows").glob("*.yml"))}
    # The repository's files, and the templates' other branches (monthly gate, pilot, after a build).
    uses = _uses(committed) + _uses(every_branch)
    assert {value.partition("@")[0] for _, value in uses} == set(pins), "every pin is used, and only pins are"
    for where, value in uses:
        match = PINNED.match(value)
        assert match, f"{where}: {value!r} is not `owner/repo@<40-hex commit> # vX.Y.Z`"
        pin = pins[match["name"]]
        assert (match["commit"], match["tag"]) == (pin.commit, pin.tag), f"{where}: not catalog/pipelines.yaml's pin of {pin.name}"


def test_templates_take_every_action_from_the_catalog():
    templates = sorted((REPO / "templates/pipelines").glob("github-*.j2"))
    assert templates
    for path in templates:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if match := USES.match(line):
                assert TEMPLATE_USES.match(match["value"].strip()), f"{path.relative_to(REPO)}:{number}: write `uses: {{{{ \"owner/repo\" | action }}}}`"


def test_a_pin_that_is_not_a_commit_is_refused_with_its_line(project, avdgen):
    pins = project / "catalog/pipelines.yaml"
    text = pins.read_text()
    lines = text.splitlines()
    line = next(n for n, l in enumerate(lines, 1) if "7184910d9eb2b1c5e48f7073824a90609bb9b6d6" in l)
    pins.write_text(text.replace("7184910d9eb2b1c5e48f7073824a90609bb9b6d6", "7184910d").replace("tag: v5.6.0", "tag: v5"))
    result = avdgen(project, "render", "--check")
    assert result.exit_code == 2
    assert f"catalog/pipelines.yaml:{line}: actions.azure/login.commit: '7184910d' does not match" in result.output
    # A major tag alone is a valid tag; only the commit is what runs.
    assert "setup-python" not in result.output


def test_an_action_without_a_pin_is_refused(project, avdgen):
    template = project / "templates/pipelines/github-rollout.yml.j2"
    template.write_text(template.read_text().replace('"actions/setup-python" | action', '"actions/setup-node" | action'))
    result = avdgen(project, "render", "--check")
    assert result.exit_code == 2
    assert "templates/pipelines/github-rollout.yml.j2: action 'actions/setup-node' has no pin in catalog/pipelines.yaml" in result.output


def test_pipelines_yaml_is_not_a_module_catalog():
    assert "pipelines" not in {c.module for c in load_catalogs(REPO)}
