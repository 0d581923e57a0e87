"""validate-vars never passes what `terraform plan` rejects (issue 14): a property test.

Hypothesis writes tfvars files for envs/dev, valid and invalid (wrong types, unknown variables,
out-of-range values, heredocs, interpolations, references, function calls, blocks, validations
and checks across variables that fail), and each file gets two verdicts: `avdgen validate-vars`'
(the in-process check) and `terraform plan`'s, on the same file, as envs/dev's terraform.tfvars
in one initialised copy of the env, through the offline provider. Secrets come from TF_VAR_*, as
an operator's would.

validate-vars may be stricter than Terraform where that is its purpose, and only there (STRICTER):
a misspelled variable (Terraform only warns) or object attribute (Terraform drops it), a value Terraform would convert to the variable's
type ("6" for a number), null for a variable with a default, a secret in the file, an empty
golden_image.location. Every other
difference fails the test, with the file and both verdicts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from generator.catalog.load import load_catalogs
from generator.harness.terraform import Workspace
from generator.lint.tfvars import TfvarsError, check_file, read_tfvars
from generator.terraform_binary import terraform_binary
from plan_plugin import offline_environment
from project_paths import REPO

pytestmark = pytest.mark.plan

ENV = REPO / "envs/dev"
SCHEMA = ENV / "terraform.tfvars.schema.json"
EXAMPLES = int(os.environ.get("AVDGEN_PROPERTY_EXAMPLES", "30"))
RANDOM = bool(os.environ.get("AVDGEN_PROPERTY_RANDOM"))  # new cases each run, to look further than CI does
SECRETS = {"TF_VAR_admin_password": "offline-Placeholder-1", "TF_VAR_domain_admin_password": "offline-Placeholder-2"}

# What validate-vars refuses on purpose although Terraform takes it (see the module docstring).
STRICTER = [
    re.compile(r": not a variable of this configuration"),
    re.compile(r": not an attribute of [a-z_]+$"),  # Terraform drops it silently
    re.compile(r": must be (a string|a number|a bool)( or null)?, not (\"[^\"]*\"|-?[0-9.e+]+|true|false)$"),
    re.compile(r": must be (a string|a number|a bool|a list|an object), not null$"),
    re.compile(r": \w+ is sensitive: never write it in a tfvars file"),
    # golden_image.location = "": main.tf's coalesce() takes the env's location for it, as for
    # null; Terraform passes only that invalid region name (any other fails the module's check).
    re.compile(r": variable golden_image\.location: location must be a lowercase Azure region name"),
]

BASE = read_tfvars(ENV / "terraform.tfvars", "dev").values
GUID = "6f0a1c1e-8a55-4e4b-9b7e-2d0f3e7a9c11"
IMAGE = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/manual/images/win11/versions/3.0.0"

STRINGS = [
    "", " ", "eastus", "East US", "westus2", "avd-dev-rg", "bad name", "rg.", "a" * 91, "Standard_D2s_v5", "D2s_v5",
    "avdadmin", "admin", "Administrator", "abcdefghijkl", "abcdefghijklm", "abcdefghijklmn", "avd-sh", "-bad", "bad-",
    "1.0.0", "1.2.0", "1.1.0-beta", "latest", "aib_gallery", "marketplace", "manual_gallery", "BreadthFirst", "DepthFirst",
    "Sideways", "10.10.1.0/24", "10.10.0.0/16", "10.0.0.0/33", "dev", "Dev", "x1", IMAGE, "/subscriptions/x", GUID,
    "corp.example.com", "OU=AVD,DC=corp,DC=example,DC=com", "V1", "V2", "Premium_LRS", "Standard_ZRS", "https://x", "http://x",
    "googlechrome", "bad package", "e\u0301", "\u00e9",
]
NUMBERS = [-1, 0, 0.5, 1, 1.5, 2, 5, 6, 9, 10, 11, 27, 28, 99, 100, 240, 999999, 1000000]
LISTS = [[], ["10.10.0.0/16"], ["bad"], [GUID], [GUID.upper()], ["1.2.0"], ["1.2"], ["westus2"], ["eastus", "westus2"], ["x", "y"]]
MAPS = [{}, {"a": "b"}, {"CostCenter": "avd-dev"}, {"bad key": "x"}]
HOSTS = [
    {}, {"avd-dev-sh-0": {}}, {"avd-dev-sh-0": {"image_version": "1.2.0"}}, {"avd-dev-sh-0": {"image_version": "latest"}},
    {"bad name": {}}, {"h-0": {"allow_new_sessions": False}, "h-1": {}}, {"abcdefghijklmnop": {}},
]
MARKETPLACE = [
    {"publisher": "MicrosoftWindowsDesktop", "offer": "office-365", "sku": "win11-24h2-avd-m365"},
    {"publisher": "MicrosoftWindowsDesktop", "offer": "office-365"},
    {"publisher": "p", "offer": "o", "sku": "s", "version": "latest", "extra": 1},
]
CATALOGS = {c.module: c for c in load_catalogs(REPO)}
VARIABLES = {v.name: v for v in CATALOGS["env"].variables}
GOLDEN = {v.name: v for v in CATALOGS["golden_image"].variables}
GOLDEN_ATTRIBUTES = sorted(json.loads(SCHEMA.read_text())["properties"]["golden_image"]["properties"])


# --- values --------------------------------------------------------------------------------------


def _pool(type_text: str) -> list[Any]:
    if type_text == "string":
        return STRINGS
    if type_text == "number":
        return NUMBERS
    if type_text == "bool":
        return [True, False]
    if type_text.startswith(("list(", "set(")):
        return LISTS
    if type_text == "map(string)" or type_text.startswith("map(list"):
        return MAPS + [{"10-x": ["echo"]}, {"k": "https://x"}]
    return [None]


def _value_for(name: str) -> st.SearchStrategy[Any]:
    """A value of the variable's own type (valid or not for its validations), or null."""
    variable = VARIABLES[name]
    if name == "session_hosts":
        return st.sampled_from(HOSTS)
    if name == "marketplace_image":
        return st.sampled_from(MARKETPLACE)
    if name == "golden_image":
        return st.builds(lambda a, v: {**BASE["golden_image"], a: v}, st.sampled_from(GOLDEN_ATTRIBUTES), st.none())
    return st.sampled_from(_pool(variable.type) + [None])


@st.composite
def _golden_attribute(draw) -> tuple[str, Any]:
    attribute = draw(st.sampled_from(GOLDEN_ATTRIBUTES))
    source = GOLDEN.get(attribute) or GOLDEN.get(f"gallery_image_{attribute}")
    pool = _pool(source.type) if source else STRINGS
    return attribute, draw(st.sampled_from(pool + [None]))


def _other_type(type_text: str) -> list[Any]:
    """Values of another type: some Terraform converts ("6" for a number), most it refuses."""
    wrong = {"string": [5, True, ["a"], {"a": "b"}], "number": ["6", "six", True, [1]], "bool": ["true", "yes", 1, []]}
    if type_text in wrong:
        return wrong[type_text]
    if type_text.startswith(("list(", "set(")):
        return ["a", {"a": "b"}, [["a"]], 5]
    return ["x", ["a"], 5]


# --- HCL text ------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}")
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'


def hcl(value: Any, indent: str = "") -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(hcl(v, indent) for v in value) + "]"
    inner = indent + "  "
    body = "".join(f"{inner}{_quote(k) if not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_-]*', k) else k} = {hcl(v, inner)}\n" for k, v in value.items())
    return "{\n" + body + indent + "}"


def _forms(value: Any) -> list[str]:
    """Ways to write `value` (or something Terraform refuses) other than its plain literal."""
    forms = []
    if isinstance(value, str):
        forms += [f"<<EOT\n{value}\nEOT", f"<<-EOT\n    {value}\n  EOT", '"${' + _quote(value) + '}"', '"${var.environment}"',
                  "local.name", f"lower({_quote(value)})", '"a${local.b}"', f'"%{{ if true }}{value}%{{ endif }}"']
    elif isinstance(value, bool):
        forms += [f"!{hcl(not value)}", '"${true}"', "var.flag"]
    elif isinstance(value, (int, float)):
        forms += [f"{value} + 0", f"{value} * 2", f'"${{{value}}}"', f"floor({value})", f"({value} - 1)"]
    elif isinstance(value, list):
        forms += [f"[for x in {hcl(value)} : x]", "concat([], [])", f"{hcl(value)}[*]" if value else "[]"]
    elif isinstance(value, dict):
        forms += ["merge({}, {})", "{ for k, v in {} : k => v }"]
    return forms


# Variables that the env's checks (and its modules' preconditions) read together: a "combo"
# sets one group at once, so the cases reach the checks across variables often.
COMBOS = [
    {"session_host_count": [1, 2, 3, 11], "session_hosts": HOSTS},
    {"location": ["eastus", "westus2"], "golden_image.location": [None, "eastus", "westus2", ""], "golden_image.replication_regions": LISTS[:1] + [["westus2"], ["eastus", "westus2"]]},
    {"session_host_image_strategy": ["aib_gallery", "marketplace", "manual_gallery"], "enable_golden_image": [True, False],
     "manual_gallery_image_id": [None, IMAGE, "/subscriptions/x"], "pilot_session_host_count": [0, 1, 9, 10, 1.5], "golden_image.hyper_v_generation": ["V1", "V2"]},
    {"session_host_name_prefix": ["avd-sh", "abcdefghijkl", "abcdefghijklm", "abcdefghijklmn"], "session_host_count": [1, 10, 11],
     "pilot_session_host_count": [0, 1], "session_hosts": [{}, {"avd-dev-sh-0": {}}]},
    {"domain_name": [None, "corp.example.com", ""], "domain_admin_username": [None, "svc-join", "admin"], "domain_ou_path": [None, "OU=AVD,DC=corp"]},
    {"golden_image_promoted_versions": [[], ["1.0.0"], ["1.2"]], "golden_image_promotion_source_subscription_id": [None, GUID, "x"]},
    {"session_hosts": HOSTS, "session_host_image_strategy": ["aib_gallery", "marketplace"], "enable_golden_image": [True, False], "pin_golden_image_version": [True, False]},
    {"pilot_image_version": [None, "1.2.0", "1.2", "latest"], "pilot_session_host_count": [0, 1]},
]


def _golden_of(values: dict[str, Any]) -> dict[str, Any]:
    """golden_image as the case has it so far (the base's when an earlier change made it no object)."""
    value = values.get("golden_image")
    return value if isinstance(value, dict) else BASE["golden_image"]


@st.composite
def _combo(draw, values: dict[str, Any]) -> None:
    combo = draw(st.sampled_from(COMBOS))
    for key, pool in combo.items():
        if not draw(st.booleans()) and len(combo) > 1:
            continue  # leave some of the group as they are
        value = draw(st.sampled_from(pool))
        if key.startswith("golden_image."):
            values["golden_image"] = {**_golden_of(values), key.split(".", 1)[1]: value}
        else:
            values[key] = value


@st.composite
def tfvars_files(draw) -> str:
    values: dict[str, Any] = dict(BASE)
    texts: dict[str, str] = {}
    extra: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["value", "combo", "combo", "golden", "wrong_type", "unknown", "form", "block", "drop", "twice"]))
        name = draw(st.sampled_from(sorted(VARIABLES)))
        if kind == "value":
            values[name] = draw(_value_for(name))
        elif kind == "combo":
            draw(_combo(values))
        elif kind == "golden":
            attribute, value = draw(_golden_attribute())
            values["golden_image"] = {**_golden_of(values), attribute: value}
        elif kind == "wrong_type":
            values[name] = draw(st.sampled_from(_other_type(VARIABLES[name].type)))
        elif kind == "unknown":
            extra.append(f"{draw(st.sampled_from(['sesion_host_count', 'zones', 'vm_size', 'foo']))} = 1")
        elif kind == "form":
            value = values.get(name, VARIABLES[name].default)
            forms = _forms(value)
            if forms:
                texts[name] = draw(st.sampled_from(forms))
        elif kind == "block":
            value = values.get(name)
            if isinstance(value, dict):
                texts[name] = "BLOCK"  # written `name { ... }`
        elif kind == "drop":
            values.pop(name, None)
        elif kind == "twice":
            extra.append(f"{name} = {hcl(values.get(name, VARIABLES[name].default))}")
    lines = []
    for name, value in values.items():
        if texts.get(name) == "BLOCK":
            lines.append(f"{name} {hcl(value)}")
        elif name in texts:
            lines.append(f"{name} = {texts[name]}")
        else:
            lines.append(f"{name} = {hcl(value)}")
    return "\n".join(lines + extra) + "\n"


# --- verdicts ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_copy():
    """envs/dev initialised once, without its own terraform.tfvars (each case writes one)."""
    with Workspace(ENV, offline_environment("vendored")) as ws:
        (ws.dir / "terraform.tfvars").unlink()
        yield ws


def terraform_says(ws: Workspace, text: str) -> tuple[bool, str]:
    (ws.dir / "terraform.tfvars").write_text(text)  # plans only: no state, nothing in the simulated cloud
    proc = subprocess.run(
        [terraform_binary(), "plan", "-input=false", "-no-color", "-refresh=false", "-lock=false"],
        cwd=ws.dir, env={**os.environ, **ws.env, **SECRETS}, capture_output=True, text=True, check=False,
    )
    return proc.returncode == 0, proc.stderr.strip()


def validate_vars_says(ws: Workspace) -> tuple[bool, list[str]]:
    try:
        problems = check_file(ws.dir / "terraform.tfvars", SCHEMA, "terraform.tfvars")
    except TfvarsError as error:
        return False, [str(error)]
    return not problems, [str(p) for p in problems]


def disagreement(ws: Workspace, text: str) -> str | None:
    tf_ok, tf_errors = terraform_says(ws, text)
    vv_ok, vv_errors = validate_vars_says(ws)
    if tf_ok == vv_ok:
        return None
    if tf_ok and vv_errors and all(any(p.search(e) for p in STRICTER) for e in vv_errors):
        return None  # stricter on purpose
    numbered = "\n".join(f"{i:3}: {line}" for i, line in enumerate(text.splitlines(), 1))
    return f"terraform plan {'passes' if tf_ok else 'fails'}, validate-vars {'passes' if vv_ok else 'fails'}\n{numbered}\n" \
           f"validate-vars: {vv_errors}\nterraform: {tf_errors[-1500:]}"


def _file(**changes: Any) -> str:
    values = {**BASE, **changes}
    return "".join(f"{name} = {hcl(value)}\n" for name, value in values.items())


def _edited(old: str, new: str) -> str:
    text = _file()
    assert old in text, old
    return text.replace(old, new)


# The disagreements the generated cases found, each fixed (issue 14); kept as explicit examples.
FOUND = [
    _file(session_host_name_prefix="abcdefghijklmn"),  # the module's 13-character prefix
    _file(session_host_name_prefix="abcdefghijklm", pilot_session_host_count=1),  # the pilot's <prefix>p
    _file(session_host_name_prefix="abcdefghijklm", session_host_count=11),  # <prefix>-10: 16 characters
    _file(session_host_vm_size="D2s_v5"),
    _file(admin_username="admin"),
    _file(manual_gallery_image_id="/subscriptions/x"),
    _file(domain_name="corp.example.com"),  # an AD join without domain_admin_username
    _file(golden_image_promoted_versions=["1.0.0"]),  # dev builds its own versions
    _file(session_host_count=2, session_hosts={"avd-dev-sh-0": {}}),  # fewer hosts than the capacity
    _file(golden_image={**BASE["golden_image"], "location": "westus2"}),  # hosts outside the image's regions
    _file(admin_username=5),  # Terraform converts it; one type error, not also the name check
    _file(marketplace_image={"publisher": "p", "offer": "o", "sku": "s", "extra": 1}),  # Terraform drops it
    _file(golden_image={**BASE["golden_image"], "hyper_v_generation": None}),  # null takes the attribute's default, V2
    _file(golden_image={**BASE["golden_image"], "location": ""}),  # coalesce() takes the env's location
    _edited('address_space = ["10.10.0.0/16"]', 'address_space = ["10.10.0.0/16"][*]'),
    _edited('session_host_name_prefix = "avd-dev-sh"', 'session_host_name_prefix = <<EOT\navd-dev-sh\nEOT'),
    _edited('session_host_name_prefix = "avd-dev-sh"', 'session_host_name_prefix = "${var.environment}-sh"'),
    _edited("golden_image = {", "golden_image {"),
]


def test_validate_vars_agrees_with_terraform_plan(dev_copy):
    found: list[str] = []

    def with_examples(test):
        for text in FOUND:
            test = example(text)(test)
        return test

    @with_examples
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(tfvars_files())
    def case(text: str) -> None:
        if (problem := disagreement(dev_copy, text)) is not None:
            found.append(problem)

    case()
    assert not found, f"{len(found)} disagreement(s):\n\n" + "\n\n".join(found[:int(os.environ.get("AVDGEN_PROPERTY_SHOW", "5"))])


def test_the_committed_env_file_passes_both(dev_copy):
    assert disagreement(dev_copy, (ENV / "terraform.tfvars").read_text()) is None
    assert terraform_says(dev_copy, (ENV / "terraform.tfvars").read_text())[0]
