"""Who may use an env's desktop: the role assignments desktop_user_principal_ids and
desktop_admin_principal_ids plan, for Entra ID joined and for domain joined session hosts."""

from __future__ import annotations

import pytest

from generator.harness.plan import PlanError
from built_images import given_built_images
from plan_plugin import workspace
from project_paths import REPO

SECRETS = REPO / "tests/offline-secrets.tfvars"
USER = "1111111a-1111-1111-1111-11111111111a"
GROUP = "2222222b-2222-2222-2222-22222222222b"
ADMIN = "3333333c-3333-3333-3333-33333333333c"
RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg"
# USER is listed twice, once in upper case: IDs are compared case-insensitively, no duplicates.
ACCESS = {"desktop_user_principal_ids": [USER, GROUP.upper()], "desktop_admin_principal_ids": [ADMIN, USER.upper()]}

pytestmark = pytest.mark.plan


def _roles(variables: dict) -> set[tuple[str, str, str]]:
    """(role, scope, principal) of every role assignment the env itself creates (simulated apply:
    the scopes are IDs known only after apply)."""
    ws = workspace(REPO / "envs/dev", "vendored")
    given_built_images(ws)
    ws.apply([SECRETS], variables)
    resources = ws.state()["values"]["root_module"]["resources"]
    found = [r["values"] for r in resources if r["type"] == "azurerm_role_assignment"]
    roles = {(v["role_definition_name"], v["scope"], v["principal_id"]) for v in found}
    assert len(roles) == len(found)
    return roles


def test_entra_joined_hosts_get_desktop_and_login_roles():
    roles = _roles(ACCESS)
    app_group = f"{RG}/providers/Microsoft.DesktopVirtualization/applicationGroups/avd-dev-dag"
    assert roles == {
        ("Desktop Virtualization User", app_group, USER),
        ("Desktop Virtualization User", app_group, GROUP),
        ("Desktop Virtualization User", app_group, ADMIN),
        ("Virtual Machine User Login", RG, GROUP),  # USER is an admin too: admin login only
        ("Virtual Machine Administrator Login", RG, ADMIN),
        ("Virtual Machine Administrator Login", RG, USER),
    }


def test_domain_joined_hosts_get_only_desktop_access():
    variables = {**ACCESS, "domain_name": "corp.example.com", "domain_admin_username": "joiner", "domain_admin_password": "placeholder-Passw0rd!"}
    roles = _roles(variables)
    assert {role for role, _, _ in roles} == {"Desktop Virtualization User"}
    assert {principal for _, _, principal in roles} == {USER, GROUP, ADMIN}


def test_no_principals_no_assignments():
    assert _roles({}) == set()


def test_names_instead_of_object_ids_are_refused():
    with pytest.raises(PlanError) as info:
        workspace(REPO / "envs/dev", "vendored").plan([SECRETS], {"desktop_user_principal_ids": ["alice@contoso.com"]})
    assert "desktop_user_principal_ids entries must be object IDs" in " ".join(" ".join(info.value.details).split())
