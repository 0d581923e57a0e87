"""The rollout pipelines (.github/workflows/rollout-<env>.yml, pipelines/azure-pipelines-rollout-<env>.yml):
their triggers and gates, and their shell run as the CI runs it, with stand-ins for az,
terraform and avdgen and a real git repository to commit to."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest
import yaml

from generator.catalog.load import load_catalogs
from generator.ops.pipelines import render_azure_pipelines, render_github_workflows
from profiles import prod_builds_itself
from project_paths import REPO

GITHUB = PurePosixPath(".github/workflows/rollout-prod.yml")
AZURE = PurePosixPath("pipelines/azure-pipelines-rollout-prod.yml")


def _github(root: Path = REPO) -> dict:
    return yaml.safe_load(render_github_workflows(load_catalogs(root), root)[GITHUB])


def _azure(root: Path = REPO) -> dict:
    return yaml.safe_load(render_azure_pipelines(load_catalogs(root), root)[AZURE])


def _steps(job: dict) -> dict[str, dict]:
    """Steps by name, or by the action they use (without its pinned @commit)."""
    return {step.get("name") or step["uses"].partition("@")[0]: step for step in job["steps"]}


def _edit(root: Path, old: str, new: str) -> None:
    profile = root / "catalog/envs/prod.yaml"
    text = profile.read_text()
    assert old in text
    profile.write_text(text.replace(old, new))


def test_the_repositorys_files_are_rendered():
    assert (REPO / GITHUB).read_text() == render_github_workflows(load_catalogs(REPO), REPO)[GITHUB]
    assert (REPO / AZURE).read_text() == render_azure_pipelines(load_catalogs(REPO), REPO)[AZURE]


def test_github_runs_after_a_merged_promotion_behind_the_environments_approval():
    workflow = _github()
    on = workflow.get("on", workflow.get(True))
    assert on == {"push": {"branches": ["main"], "paths": ["catalog/envs/prod.yaml"]}, "workflow_dispatch": None}
    assert workflow["concurrency"] == {"group": "rollout-prod", "cancel-in-progress": False}
    (name, job), = workflow["jobs"].items()
    assert name == "rollout" and job["environment"] == "avd-prod"
    assert job["permissions"] == {"contents": "write", "id-token": "write"}
    assert job["env"]["ARM_USE_OIDC"] == "true" and job["env"]["TF_VAR_admin_password"] == "${{ secrets.ADMIN_PASSWORD }}"
    steps = _steps(job)
    assert steps["hashicorp/setup-terraform"]["with"] == {"terraform_wrapper": False}
    assert steps["actions/checkout"]["with"] == {"ref": "${{ github.ref }}", "persist-credentials": False}
    # The token reaches the commit step only, not pip, Terraform or the rollout.
    assert [name for name, step in steps.items() if "github.token" in str(step)] == ["Commit where the hosts are"]
    assert steps["Roll out"]["run"].strip() == "avdgen rollout prod --run"
    assert steps["Commit where the hosts are"]["if"] == "always()"
    assert '-backend-config="key=avd-prod.terraform.tfstate"' in steps["terraform init (remote state)"]["run"]


def test_a_pilot_makes_two_approved_jobs(project):
    _edit(project, "pilot_session_host_count: 0", "pilot_session_host_count: 1")
    jobs = _github(project)["jobs"]
    assert list(jobs) == ["pilot", "rollout"]
    assert jobs["rollout"]["needs"] == "pilot"
    assert {j["environment"] for j in jobs.values()} == {"avd-prod"}
    assert _steps(jobs["pilot"])["Roll out"]["run"].strip() == "avdgen rollout prod --run"
    assert _steps(jobs["rollout"])["Roll out"]["run"].strip() == "avdgen rollout prod --run --pilot-validated"
    azure = _azure(project)["jobs"]
    assert [(j["deployment"], j.get("dependsOn"), j["environment"]) for j in azure] == [("pilot", None, "avd-prod"), ("rollout", "pilot", "avd-prod")]


def test_an_env_that_builds_also_rolls_out_after_a_successful_build(project):
    prod_builds_itself(project)
    workflow = _github(project)
    on = workflow.get("on", workflow.get(True))
    build = yaml.safe_load((render_github_workflows(load_catalogs(project), project))[PurePosixPath(".github/workflows/golden-image-prod.yml")])
    assert on["workflow_run"] == {"workflows": [build["name"]], "types": ["completed"]}
    # Not after a pull request's run of a same-named workflow (workflow_run matches by name).
    assert workflow["jobs"]["rollout"]["if"] == (
        "github.event_name != 'workflow_run' || (github.event.workflow_run.conclusion == 'success'"
        " && (github.event.workflow_run.event == 'schedule' || github.event.workflow_run.event == 'workflow_dispatch'))"
    )
    assert _azure(project)["resources"]["pipelines"] == [{"pipeline": "build", "source": "golden-image-prod", "trigger": True}]


def test_no_pipeline_without_remote_state_or_a_rollout_section(project):
    _edit(project, "rollout:\n  batch: 1\n  surge: true\n  drain_timeout_minutes: 60\n", "")
    assert GITHUB not in render_github_workflows(load_catalogs(project), project)
    dev = project / "catalog/envs/dev.yaml"  # dev keeps local state: a CI job would have none
    dev.write_text(dev.read_text() + "rollout:\n  batch: 1\n")
    assert [str(p) for p in render_github_workflows(load_catalogs(project), project)] == [".github/workflows/golden-image-dev.yml"]


# --- the scripts, run ----------------------------------------------------------------------------


def _stand_ins(tmp_path: Path, avdgen_exit: int = 0) -> tuple[Path, Path]:
    """az, terraform and avdgen that log their arguments; avdgen also edits the profile, as a
    rollout does."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    scripts = {
        "az": 'case "$*" in "account show"*) echo 00000000-0000-0000-0000-000000000009;; sig*) echo "/subscriptions/s/x/versions/1.3.0";; esac',
        "terraform": "",
        "avdgen": f'printf "  session_hosts: {{}}\\n" >> catalog/envs/prod.yaml; exit {avdgen_exit}',
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n{body}\n')
        (bin_dir / name).chmod(0o755)
    return bin_dir, log


def _checkout(tmp_path: Path, root: Path) -> Path:
    """A clone of a repository holding `root`'s catalog and envs, with a bare remote to push to."""
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@invalid", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "--quiet", "--bare", str(remote)], check=True)
    subprocess.run([*git, "clone", "--quiet", str(remote), str(work)], check=True, capture_output=True)
    for name in ("catalog", "envs"):
        shutil.copytree(root / name, work / name)
    subprocess.run([*git, "-C", str(work), "add", "."], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "--quiet", "-m", "start"], check=True)
    subprocess.run([*git, "-C", str(work), "push", "--quiet", "origin", "HEAD:main"], check=True, capture_output=True)
    return work


def _bash(script: str, cwd: Path, bin_dir: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(cwd.parent), **env}
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=environment, capture_output=True, text=True)


def _remote_log(tmp_path: Path) -> list[str]:
    out = subprocess.run(["git", "--git-dir", str(tmp_path / "remote.git"), "log", "--format=%s", "main"], capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def _git_logging_auth(bin_dir: Path, log: Path) -> None:
    """git that logs each command with the auth header it would send to the server, then runs."""
    real = shutil.which("git")
    header = '$("%s" config --get "http.$GITHUB_SERVER_URL/.extraheader")' % real
    (bin_dir / "git").write_text(f'#!/bin/sh\necho "git $1 {header}" >> "{log}"\nexec "{real}" "$@"\n')
    (bin_dir / "git").chmod(0o755)


@pytest.mark.parametrize("avdgen_exit", [0, 1])
def test_github_commits_where_the_hosts_are_even_after_a_stopped_rollout(tmp_path, avdgen_exit):
    work = _checkout(tmp_path, REPO)
    bin_dir, log = _stand_ins(tmp_path, avdgen_exit)
    steps = _steps(_github()["jobs"]["rollout"])
    rolled = _bash(steps["Roll out"]["run"], work, bin_dir)
    assert rolled.returncode == avdgen_exit
    assert log.read_text().splitlines() == ["avdgen rollout prod --run"]
    git_log = tmp_path / "git.log"
    _git_logging_auth(bin_dir, git_log)
    runner = {"GITHUB_TOKEN": "t0ken", "GITHUB_SERVER_URL": "https://github.invalid"}
    committed = _bash(steps["Commit where the hosts are"]["run"], work, bin_dir, **runner)  # if: always()
    assert committed.returncode == 0, committed.stderr
    assert _remote_log(tmp_path) == ["Rollout prod: the session hosts as the rollout left them", "start"]
    # The checkout persisted no credentials: only pull and push send the token, as checkout would.
    basic = "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46dDBrZW4="  # base64 of x-access-token:t0ken
    assert [line for line in git_log.read_text().splitlines() if line.endswith(basic)] == [f"git pull {basic}", f"git push {basic}"]
    assert "::add-mask::eC1hY2Nlc3MtdG9rZW46dDBrZW4=" in committed.stdout
    again = _bash(steps["Commit where the hosts are"]["run"], work, bin_dir, **runner)
    assert again.returncode == 0 and "The session hosts did not change." in again.stdout


def test_hosts_on_the_newest_version_roll_out_to_the_newest(project, tmp_path):
    prod_builds_itself(project)
    _edit(project, "pin_golden_image_version: true", "pin_golden_image_version: false")
    work = _checkout(tmp_path, project)
    bin_dir, log = _stand_ins(tmp_path)
    script = _steps(_github(project)["jobs"]["rollout"])["Roll out"]["run"]
    assert _bash(script, work, bin_dir).returncode == 0
    calls = log.read_text().splitlines()
    assert calls[0].startswith("az sig image-version list --resource-group avd-prod-rg")
    assert calls[1] == "avdgen rollout prod --run --to 1.3.0"


@pytest.mark.parametrize("avdgen_exit", [0, 1])
def test_azure_devops_rolls_out_logs_in_terraform_and_commits(tmp_path, avdgen_exit):
    work = _checkout(tmp_path, REPO)
    bin_dir, log = _stand_ins(tmp_path, avdgen_exit)
    (job,) = _azure()["jobs"]
    assert job["environment"] == "avd-prod"
    steps = job["strategy"]["runOnce"]["deploy"]["steps"]
    assert steps[0] == {"checkout": "self", "persistCredentials": True}
    (task,) = [s for s in steps if s.get("task") == "AzureCLI@2"]
    assert task["inputs"]["addSpnToEnvironment"] is True and task["inputs"]["azureSubscription"] == "avd-prod-rollout"
    assert task["env"]["TF_VAR_admin_password"] == "$(ADMIN_PASSWORD)"
    env = {"BRANCH": "main", "idToken": "oidc", "servicePrincipalId": "client", "tenantId": "tenant",
           "TFSTATE_RESOURCE_GROUP": "tfstate-rg", "TFSTATE_STORAGE_ACCOUNT": "st", "TFSTATE_CONTAINER": "tfstate"}
    run = _bash(task["inputs"]["inlineScript"], work, bin_dir, **env)
    assert run.returncode == avdgen_exit, run.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "az account show --query id -o tsv"
    assert calls[1].startswith("terraform -chdir=envs/prod init -input=false -backend-config=resource_group_name=tfstate-rg")
    assert calls[2] == "avdgen rollout prod --run"
    assert _remote_log(tmp_path) == ["Rollout prod: the session hosts as the rollout left them", "start"]
