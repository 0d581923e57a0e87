"""Values of the utility providers (generator/offline/generic.py) through the servicer's RPCs, on
the vendored schemas: the shapes, defaults and replacement rules of random, null, modtm and
azuread, and distinct values for identical configurations."""

from __future__ import annotations

import base64
import json
import re
import string
from typing import Any

import pytest
from offline_helpers import dv, undv

from generator.offline.cloud import CLOUD_ENV
from generator.offline.fixture import DEFAULTS, Fixture
from generator.offline.generic import SPECIAL, random_id_values
from generator.offline.proto import pb
from generator.offline.schema import VENDORED_DIR, ProviderSchema, implied_type
from generator.offline.servicer import ProviderServicer
from generator.offline.wire import UNKNOWN

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(autouse=True)
def own_cloud(tmp_path, monkeypatch):
    monkeypatch.setenv(CLOUD_ENV, str(tmp_path / "cloud.json"))


class Vendored:
    """One type of a vendored provider schema, with the RPCs a plan and apply make."""

    def __init__(self, provider: str, type_name: str, kind: str = "resource") -> None:
        path = VENDORED_DIR / f"{provider}.schema.json"
        self.servicer = ProviderServicer(lambda: ProviderSchema(provider, path), fixture=Fixture(**DEFAULTS))
        self.type_name = type_name
        self.block = self.servicer.schema.block(kind, type_name)
        self.ty = implied_type(self.block)

    def new(self, **values: Any) -> dict[str, Any]:
        assert not set(values) - set(self.ty.attrs), set(values) - set(self.ty.attrs)
        return {name: values.get(name) for name in self.ty.attrs}

    def plan(self, prior: Any, config: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        # Terraform's proposed new state: the config, with prior computed values carried over.
        proposed = dict(config)
        if prior:
            for name, attr in self.block["attributes"].items():
                if attr.get("computed") and proposed.get(name) is None:
                    proposed[name] = prior[name]
        response = self.servicer.PlanResourceChange(
            pb.PlanResourceChange.Request(
                type_name=self.type_name, prior_state=dv(prior, self.ty), proposed_new_state=dv(proposed, self.ty), config=dv(config, self.ty)
            ),
            None,
        )
        assert not response.diagnostics, response.diagnostics
        return undv(response.planned_state, self.ty), [p.steps[0].attribute_name for p in response.requires_replace]

    def apply(self, planned: dict[str, Any], prior: Any = None) -> dict[str, Any]:
        response = self.servicer.ApplyResourceChange(
            pb.ApplyResourceChange.Request(
                type_name=self.type_name, prior_state=dv(prior, self.ty), planned_state=dv(planned, self.ty), config=dv(planned, self.ty)
            ),
            None,
        )
        assert not response.diagnostics, response.diagnostics
        return undv(response.new_state, self.ty)

    def create(self, **config: Any) -> dict[str, Any]:
        planned, _ = self.plan(None, self.new(**config))
        return self.apply(planned)

    def read(self, **config: Any) -> dict[str, Any]:
        response = self.servicer.ReadDataSource(
            pb.ReadDataSource.Request(type_name=self.type_name, config=dv(self.new(**config), self.ty)), None
        )
        assert not response.diagnostics, response.diagnostics
        return undv(response.state, self.ty)


# --- random_string / random_password ----------------------------------------------------------


def test_random_string_plans_the_provider_defaults_as_known():
    rig = Vendored("random", "random_string")
    planned, _ = rig.plan(None, rig.new(length=12))
    assert (planned["special"], planned["upper"], planned["lower"], planned["numeric"], planned["number"]) == (True,) * 5
    assert (planned["min_lower"], planned["min_upper"], planned["min_numeric"], planned["min_special"]) == (0, 0, 0, 0)
    assert planned["result"] is UNKNOWN and planned["id"] is UNKNOWN
    # `number` and `numeric` mirror each other (NumberNumericAttributePlanModifier)
    planned, _ = rig.plan(None, rig.new(length=12, number=False))
    assert planned["numeric"] is False


def test_random_string_honours_length_and_character_classes():
    rig = Vendored("random", "random_string")
    state = rig.create(length=24, special=False, upper=False)
    assert len(state["result"]) == 24 and state["id"] == state["result"]
    assert set(state["result"]) <= set(string.ascii_lowercase + string.digits)
    digits = rig.create(length=8, upper=False, lower=False, special=False)["result"]
    assert len(digits) == 8 and digits.isdigit()
    state = rig.create(length=10, min_upper=3, min_special=4, override_special="#")
    result = state["result"]
    assert len(result) == 10 and sum(c.isupper() for c in result) >= 3 and result.count("#") >= 4
    assert not set(result) & (set(SPECIAL) - {"#"})  # override_special replaces the default set


def test_random_password_is_a_sensitive_string_with_a_static_id():
    rig = Vendored("random", "random_password")
    assert rig.block["attributes"]["result"]["sensitive"] and rig.block["attributes"]["bcrypt_hash"]["sensitive"]
    state = rig.create(length=20, min_special=2, min_numeric=2)
    assert len(state["result"]) == 20 and sum(c in SPECIAL for c in state["result"]) >= 2
    assert state["id"] == "none"
    assert re.fullmatch(r"\$2a\$10\$[./A-Za-z0-9]{53}", state["bcrypt_hash"])


# --- random_pet, random_uuid, random_integer, random_id, random_shuffle ------------------------


def test_random_pet_is_a_pet_name():
    rig = Vendored("random", "random_pet")
    planned, _ = rig.plan(None, rig.new())
    assert planned["length"] == 2 and planned["separator"] == "-"
    pet = rig.apply(planned)["id"]
    assert re.fullmatch(r"[a-z]+-[a-z]+", pet), pet
    long = rig.create(length=4, separator="_", prefix="avd")["id"]
    assert long.startswith("avd_") and len(long.split("_")) == 5, long
    assert "/" not in long


def test_identical_configurations_get_different_values():
    pets = Vendored("random", "random_pet")
    first, second = pets.create()["id"], pets.create()["id"]
    assert first != second
    uuids = Vendored("random", "random_uuid")
    a, b = uuids.create(), uuids.create()
    assert GUID.match(a["result"]) and a["id"] == a["result"] and a["result"] != b["result"]


def test_values_are_deterministic_for_a_fresh_cloud(tmp_path, monkeypatch):
    results = []
    for run in range(2):
        monkeypatch.setenv(CLOUD_ENV, str(tmp_path / f"run-{run}.json"))
        results.append([Vendored("random", "random_pet").create()["id"] for _ in range(2)])
    assert results[0] == results[1]


def test_random_integer_stays_in_range_and_a_seed_fixes_it():
    rig = Vendored("random", "random_integer")
    values = [rig.create(min=5, max=7)["result"] for _ in range(20)]
    assert set(values) <= {5, 6, 7} and len(set(values)) > 1
    seeded = {rig.create(min=1, max=50000, seed="abc")["result"] for _ in range(3)}
    assert len(seeded) == 1
    state = rig.create(min=1, max=3)
    assert state["id"] == str(state["result"])


def test_random_id_encodings_agree_with_byte_length():
    rig = Vendored("random", "random_id")
    state = rig.create(byte_length=6, prefix="p-")
    raw = bytes.fromhex(state["hex"].removeprefix("p-"))
    assert len(raw) == 6 and len(state["hex"]) == 2 + 12
    assert state == {**state, **random_id_values(raw, "p-")}
    assert base64.urlsafe_b64decode(state["id"] + "==") == raw and state["b64_url"] == "p-" + state["id"]
    assert state["dec"] == "p-" + str(int.from_bytes(raw, "big"))


def test_random_shuffle_takes_result_count_items_of_the_input():
    rig = Vendored("random", "random_shuffle")
    state = rig.create(input=["a", "b", "c", "d"], result_count=2)
    assert len(state["result"]) == 2 and set(state["result"]) <= {"a", "b", "c", "d"} and state["id"] == "-"
    assert sorted(rig.create(input=["a", "b", "c"])["result"]) == ["a", "b", "c"]
    assert len(rig.create(input=["a", "b"], result_count=5)["result"]) == 5  # repeats whole permutations


@pytest.mark.parametrize(
    ("type_name", "config", "change", "replaces"),
    [
        ("random_pet", {}, {"keepers": {"image": "v2"}}, ["keepers"]),
        ("random_string", {"length": 8}, {"length": 9}, ["length"]),
        ("random_string", {"length": 8}, {"special": False}, ["special"]),
        ("random_string", {"length": 8, "override_special": ""}, {"override_special": None}, []),
        ("random_uuid", {"keepers": {"a": "1"}}, {"keepers": {"a": "2"}}, ["keepers"]),
        ("random_integer", {"min": 1, "max": 2}, {"max": 3}, ["max"]),
        ("random_id", {"byte_length": 4}, {"prefix": "x"}, ["prefix"]),
    ],
)
def test_changed_arguments_force_replacement(type_name, config, change, replaces):
    rig = Vendored("random", type_name)
    state = rig.create(**config)
    planned, paths = rig.plan(state, rig.new(**{**config, **change}))
    assert paths == replaces
    unchanged, none = rig.plan(state, rig.new(**config))
    assert none == [] and unchanged == state  # a re-plan: no changes


# --- null, modtm --------------------------------------------------------------------------------


def test_null_resource_id_is_a_number_and_triggers_replace():
    rig = Vendored("null", "null_resource")
    state = rig.create(triggers={"a": "1"})
    assert state["id"].isdigit()
    _, paths = rig.plan(state, rig.new(triggers={"a": "2"}))
    assert paths == ["triggers"]


def test_null_data_source_copies_inputs():
    state = Vendored("null", "null_data_source", "data").read(inputs={"k": "v"})
    assert state["outputs"] == {"k": "v"} and state["random"].isdigit() and state["has_computed_default"] == "default"


def test_modtm_telemetry_accepts_any_tags_and_updates_in_place():
    rig = Vendored("modtm", "modtm_telemetry")
    state = rig.create(tags={"module_source": "x", "random_id": "y"})
    assert GUID.match(state["id"]) and state["nonce"] is None and state["ephemeral_number"] is None
    planned, paths = rig.plan(state, rig.new(tags={"module_source": "z"}))
    assert paths == [] and planned["id"] == state["id"]


def test_modtm_module_source_reads_terraforms_module_manifest(tmp_path, monkeypatch):
    rig = Vendored("modtm", "modtm_module_source", "data")
    monkeypatch.chdir(tmp_path)
    assert rig.read(module_path=".")["module_source"] is None  # no manifest: nulls, as modtm
    manifest = tmp_path / ".terraform" / "modules" / "modules.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"Modules": [{"Key": "pool", "Source": "registry.terraform.io/Azure/avm-res-x/azurerm", "Version": "0.3.0", "Dir": ".terraform/modules/pool"}]}))
    state = rig.read(module_path=".terraform/modules/pool")
    assert (state["module_source"], state["module_version"]) == ("registry.terraform.io/Azure/avm-res-x/azurerm", "0.3.0")


# --- azuread ------------------------------------------------------------------------------------


def test_azuread_client_config_is_the_fixture_identity():
    state = Vendored("azuread", "azuread_client_config", "data").read()
    assert (state["tenant_id"], state["client_id"], state["object_id"]) == (DEFAULTS["tenant_id"], DEFAULTS["client_id"], DEFAULTS["object_id"])
    assert state["id"] == f"{DEFAULTS['tenant_id']}-{DEFAULTS['client_id']}-{DEFAULTS['object_id']}"


def test_azuread_lookups_give_object_ids_and_names_from_the_inputs():
    user = Vendored("azuread", "azuread_user", "data").read(user_principal_name="jane.doe@contoso.com")
    assert GUID.match(user["object_id"]) and user["display_name"] == "Jane Doe" and user["user_principal_name"] == "jane.doe@contoso.com"
    again = Vendored("azuread", "azuread_user", "data").read(user_principal_name="jane.doe@contoso.com")
    assert again["object_id"] == user["object_id"]  # the same user, looked up twice
    group = Vendored("azuread", "azuread_group", "data").read(display_name="AVD Users", security_enabled=True)
    assert GUID.match(group["object_id"]) and group["display_name"] == "AVD Users" and group["id"] == f"/groups/{group['object_id']}"
    users = Vendored("azuread", "azuread_users", "data").read(user_principal_names=["a@contoso.com", "b@contoso.com"])
    assert [u["user_principal_name"] for u in users["users"]] == ["a@contoso.com", "b@contoso.com"]
    assert len(set(users["object_ids"])) == 2 and all(GUID.match(i) for i in users["object_ids"])
    sp = Vendored("azuread", "azuread_service_principal", "data").read(display_name="Windows Virtual Desktop")
    assert sp["display_name"] == "Windows Virtual Desktop" and GUID.match(sp["object_id"]) and GUID.match(sp["client_id"])


def test_azuread_resources():
    group = Vendored("azuread", "azuread_group").create(display_name="avd-users", security_enabled=True)
    assert GUID.match(group["object_id"]) and group["id"] == f"/groups/{group['object_id']}"
    member = Vendored("azuread", "azuread_group_member").create(group_object_id=group["object_id"], member_object_id="m1")
    assert member["id"] == f"{group['object_id']}/member/m1"
    app = Vendored("azuread", "azuread_application").create(display_name="app")
    assert GUID.match(app["client_id"]) and app["id"] == f"/applications/{app['object_id']}"
    sp = Vendored("azuread", "azuread_service_principal").create(client_id=app["client_id"])
    assert sp["client_id"] == app["client_id"] and sp["id"] == f"/servicePrincipals/{sp['object_id']}"


def test_modtm_functions_answer_as_the_data_source(tmp_path, monkeypatch):
    from generator.offline.schema import provider_functions

    functions = provider_functions("modtm")
    monkeypatch.chdir(tmp_path)
    assert functions["module_source"].run("x") == "" and functions["module_version"].run("x") == ""
    manifest = tmp_path / ".terraform" / "modules" / "modules.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"Modules": [{"Key": "m", "Source": "registry.terraform.io/Azure/avm-x/azurerm", "Version": "1.2.3", "Dir": ".terraform/modules/m"}]}))
    assert functions["module_source"].run(".terraform/modules/m") == "registry.terraform.io/Azure/avm-x/azurerm"
    assert functions["module_version"].run(".terraform/modules/m") == "1.2.3"
    served = Vendored("modtm", "modtm_telemetry").servicer.GetFunctions(pb.GetFunctions.Request(), None)
    assert sorted(served.functions) == ["module_source", "module_version"]
