"""Input render must refuse, each with `file:line` (or `file`) and exit 2, never a traceback
(issue 14): bytes that are not UTF-8, a missing or looping include, an output reading an
undeclared variable, a condition that is not HCL, an env name that cannot be a directory, a
credential in a committed backend example. And a user's backend.hcl survives render."""

from __future__ import annotations

from pathlib import Path

import pytest


def _line_of(path: Path, text: str) -> int:
    return path.read_text().split(text)[0].count("\n") + 1


def _refused(avdgen, project, *expected: str):
    result = avdgen(project, "render")
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("relative", ["catalog/golden_image.yaml", "catalog/envs/dev.yaml", "templates/golden_image/main.tf.j2"])
def test_bytes_that_are_not_utf8_are_a_file_line_error(project, avdgen, relative):
    path = project / relative
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join([*lines[:2], b"# caf\xe9 (Latin-1, not UTF-8)", *lines[2:]]))  # a new line 3
    _refused(avdgen, project, f"error: {relative}:3: not UTF-8 text (byte 0xe9 at column 6); save the file as UTF-8")


def test_a_missing_include_names_the_template_line(project, avdgen):
    template = project / "templates/golden_image/main.tf.j2"
    template.write_text(template.read_text() + '{% include "golden_image/_nope.tf.j2" %}\n')
    line = template.read_text().count("\n")
    _refused(avdgen, project, f"templates/golden_image/main.tf.j2:{line}: includes 'golden_image/_nope.tf.j2', which is not a file under templates/")


def test_an_include_loop_is_named_not_a_recursion_error(project, avdgen):
    partial = project / "templates/golden_image/_loop.j2"
    partial.write_text('{% include "golden_image/_loop.j2" %}\n')
    template = project / "templates/golden_image/main.tf.j2"
    template.write_text(template.read_text() + '{% include "golden_image/_loop.j2" %}\n')
    _refused(avdgen, project, "templates/golden_image/_loop.j2:1: the includes form a loop")


def test_an_output_reading_an_undeclared_variable_is_refused_at_its_catalog_line(project, avdgen):
    catalog = project / "catalog/golden_image.yaml"
    catalog.write_text(catalog.read_text().replace("    value: local.gallery_id\n", "    value: var.galery_id\n", 1))
    line = _line_of(catalog, "    value: var.galery_id")
    _refused(avdgen, project, f"catalog/golden_image.yaml:{line}: outputs.gallery_id.value: refers to var.galery_id, which this catalog does not declare")


def test_a_condition_that_is_not_hcl_is_reported_at_its_catalog_key(project, avdgen):
    catalog = project / "catalog/golden_image.yaml"
    text = catalog.read_text()
    good = 'can(regex("^[a-z][a-z0-9]*$", var.location))'
    assert good in text
    catalog.write_text(text.replace(good, good[:-1], 1))
    line = _line_of(catalog, good[:-1]) - 1  # the `- condition: >-` line
    _refused(avdgen, project, f"catalog/golden_image.yaml:{line}: variables.location.validations[0].condition: not a valid HCL expression: Missing argument separator")


@pytest.mark.parametrize("name", ["Dev", "dev test", "dev!", "d", "averyverylongname"])
def test_an_env_name_that_cannot_be_a_directory_is_refused(project, avdgen, name):
    (project / f"catalog/envs/{name}.yaml").write_text((project / "catalog/envs/dev.yaml").read_text())
    _refused(avdgen, project, "^[a-z][a-z0-9]{1,9}$", f"catalog/envs/{name}.yaml: {name!r} is not a valid env name")
    assert not (project / "envs" / name).exists()


@pytest.mark.parametrize("key", ["access_key", "sas_token", "client_secret", "client_certificate_password", "oidc_token"])
def test_a_credential_in_the_backend_example_is_refused(project, avdgen, key):
    profile = project / "catalog/envs/prod.yaml"
    profile.write_text(profile.read_text().replace("    use_azuread_auth: true\n", f"    use_azuread_auth: true\n    {key}: not-for-git\n", 1))
    line = _line_of(profile, f"    {key}: not-for-git")
    _refused(avdgen, project, f"catalog/envs/prod.yaml:{line}: backend.example.{key}: {key} is a credential", f"ARM_{key.upper()}")
    assert "not-for-git" not in (project / "envs/prod/backend.hcl.example").read_text()


def test_a_copy_of_the_backend_example_is_the_users_and_survives_render(project, avdgen):
    example = project / "envs/prod/backend.hcl.example"
    mine = project / "envs/prod/backend.hcl"
    mine.write_text(example.read_text().replace("tfstateavdprod", "mystate"))
    assert avdgen(project, "render", "--check").exit_code == 0
    assert avdgen(project, "render").exit_code == 0
    assert "mystate" in mine.read_text()


def test_backend_hcl_is_git_ignored():
    from project_paths import REPO
    import subprocess

    done = subprocess.run(["git", "check-ignore", "-q", "envs/prod/backend.hcl"], cwd=REPO)
    assert done.returncode == 0


def test_the_readmes_error_example_is_what_render_says(project, avdgen):
    """README.md shows the error for replica_count's default set to 'one': the same text, line included."""
    from project_paths import REPO

    readme = (REPO / "README.md").read_text()
    shown = readme.split("Errors name the file, line and key, e.g.\n\n```\n", 1)[1].split("```", 1)[0]
    catalog = project / "catalog/golden_image.yaml"
    text = catalog.read_text()
    block = "  replica_count:\n    group: Replication & Advanced Settings\n    type: number\n    default: 1\n"
    assert block in text
    catalog.write_text(text.replace(block, block.replace("default: 1", "default: one")))
    result = avdgen(project, "render")
    assert result.exit_code == 2
    assert result.stderr == shown
