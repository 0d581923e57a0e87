"""Where the terraform binary is, and the environment for commands that need no providers."""

from __future__ import annotations

import os
import shutil

from .errors import TerraformError


def terraform_binary() -> str:
    """$TERRAFORM, else `terraform` on PATH."""
    binary = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not binary:
        raise TerraformError("terraform not found: install Terraform >= 1.7 or set $TERRAFORM to its path")
    return binary


def quiet_env() -> dict[str, str]:
    """Environment for commands that need no providers. A missing TF_CLI_CONFIG_FILE only warns,
    but the warning would land in every error we show, so point it at an empty file."""
    return {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
