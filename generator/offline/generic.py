"""Values for the utility providers AVM-style roots use beside azurerm and azapi: hashicorp/random,
hashicorp/null, Azure/modtm and hashicorp/azuread.

Each value has the shape the real provider gives it (a GUID, a pet name, a string of the asked
length and character classes), drawn from a seed instead of the system's randomness. The seed is
the resource type, its configuration and a serial number the simulated cloud keeps per
(type, configuration): the provider protocol never says a resource's address, so two identical
`random_pet` blocks get serials 0 and 1 and so different names. A value is generated once, at
create; Terraform keeps it in state, so a re-plan is "No changes".

Sources (read for these rules; cited per function below):
* hashicorp/terraform-provider-random v3.7.2, internal/provider/resource_*.go and
  internal/random/string.go;
* hashicorp/terraform-provider-null v3.2.4, internal/provider/{resource,data_source}.go;
* Azure/terraform-provider-modtm v0.3.5, internal/provider/telemetry_resource.go and
  module_source_interface.go;
* hashicorp/terraform-provider-azuread v3.4.0, internal/services/* (IDs are msgraph's
  `/groups/{id}`, `/applications/{id}`, `/servicePrincipals/{id}`; a group member is
  `{group}/member/{member}`; the client config is `{tenant}-{client}-{object}`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from .fixture import Fixture, guid
from .wire import UNKNOWN, Dyn

Seed = tuple[Any, ...]

GENERATED_PREFIXES = ("random_", "null_", "modtm_", "azuread_")


def generated(type_name: str) -> bool:
    """Whether a managed resource of this type gets its values here (with a serial number)."""
    return type_name.startswith(GENERATED_PREFIXES) and type_name in HOOKS


def _fill(values: dict[str, Any], name: str, value: Any) -> None:
    if values.get(name) is UNKNOWN and value is not None:
        values[name] = value


def _known(value: Any) -> Any:
    if isinstance(value, Dyn):
        return _known(value.value)
    if isinstance(value, dict):
        return {k: _known(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_known(v) for v in value]
    if value is UNKNOWN:
        return "<unknown>"
    return str(value) if isinstance(value, Decimal) else value


def config_key(type_name: str, values: dict[str, Any]) -> str:
    """(type, configuration) as one short key, for the cloud's serial numbers."""
    text = json.dumps([type_name, _known(values)], sort_keys=True, default=str)
    return f"{type_name}:{hashlib.sha256(text.encode()).hexdigest()[:24]}"


def _rng(seed: Seed, *more: Any) -> random.Random:
    return random.Random(hashlib.sha256(repr((*seed, *more)).encode()).digest())


def _int(v: Any, default: int) -> int:
    if isinstance(v, bool) or v is None or v is UNKNOWN:
        return default
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _bool(v: Any, default: bool) -> bool:
    return v if isinstance(v, bool) else default


# --- hashicorp/random -------------------------------------------------------------------------

_NUMERIC, _LOWER, _UPPER = "0123456789", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SPECIAL = "!@#$%&*()-_=+[]{}<>:?"  # random's default special characters (internal/random/string.go)


def charset_string(v: dict[str, Any], rng: random.Random) -> str:
    """random's CreateString: `min_*` characters of each class first, the rest from every enabled
    class, then shuffled. Defaults as the provider's schema plans them."""
    special_chars = v.get("override_special") or SPECIAL
    numeric = _bool(v.get("numeric"), _bool(v.get("number"), True))
    classes = [
        (_UPPER, _bool(v.get("upper"), True), _int(v.get("min_upper"), 0)),
        (_LOWER, _bool(v.get("lower"), True), _int(v.get("min_lower"), 0)),
        (_NUMERIC, numeric, _int(v.get("min_numeric"), 0)),
        (special_chars, _bool(v.get("special"), True), _int(v.get("min_special"), 0)),
    ]
    chars = "".join(c for c, enabled, _ in classes if enabled) or _LOWER
    length = max(_int(v.get("length"), 16), 0)
    result = [rng.choice(c) for c, _, minimum in classes for _ in range(minimum)]
    result += [rng.choice(chars) for _ in range(max(length - len(result), 0))]
    rng.shuffle(result)
    return "".join(result)


def _random_string(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    result = charset_string(v, _rng(seed))
    _fill(v, "result", result)
    _fill(v, "id", result)  # resource_string.go: the ID is the result


def _random_password(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    result = charset_string(v, _rng(seed))
    _fill(v, "result", result)
    _fill(v, "id", "none")  # resource_password.go: a static ID
    # A bcrypt hash's shape ($2a$10$ + 53 characters of bcrypt's base64); not a real hash.
    alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    rng = _rng(seed, "bcrypt")
    _fill(v, "bcrypt_hash", "$2a$10$" + "".join(rng.choice(alphabet) for _ in range(53)))


# Word lists for pet names, of the kinds golang-petname (which random_pet uses) strings together:
# length 1 is a name, 2 an adjective and a name, more adds adverbs in front.
_ADVERBS = (
    "amazingly badly boldly briefly calmly carefully closely deeply eagerly easily evenly fairly "
    "finally firmly freely gently gladly greatly happily highly honestly kindly largely lightly "
    "loudly luckily mainly merely mostly neatly nicely openly poorly promptly quickly quietly "
    "rapidly really seemingly sharply simply slowly smoothly solely strongly surely truly vastly "
    "warmly wildly wisely"
).split()
_ADJECTIVES = (
    "able above active adapted amazed amused apt awake aware balanced big bold brave bright "
    "busy calm capable careful champion charming clean clever close cool cosmic credible "
    "crisp curious daring dear decent direct driven eager easy electric enabled epic equal "
    "exact fair fancy fast fine firm fit fluent flying fond free fresh funny game generous "
    "gentle genuine giving glad golden good grand grateful great handy happy hardy healthy "
    "helpful heroic honest humble ideal immense innocent intent just keen key kind large "
    "legal lenient light liked literate live logical loved loyal lucky magical main major "
    "many massive mature measured merry mighty mint modern modest moral moved natural neat "
    "needed new nice noble normal notable novel on open optimal organic patient peaceful "
    "perfect pleasant polite popular positive precious pretty prime probable promoted proper "
    "proud pure quick quiet rapid rare ready real relaxed renewed resolved rich right robust "
    "romantic safe saved secure select sharp shining simple sincere smart smooth social solid "
    "special splendid square stable steady still striking strong sunny super sure sweet "
    "teaching tender thankful tidy tight touched tough trusted trusting ultimate unique "
    "united up upright useful valid vast verified viable vital vocal warm welcome well whole "
    "willing wise witty worthy"
).split()
_NAMES = (
    "aardvark albacore alien alpaca anemone ant antelope ape asp baboon badger barnacle bass "
    "bat bear beetle bengal bird bison blowfish bluebird boa bobcat bonefish buck buffalo bug "
    "bull bunny buzzard calf camel cardinal caribou cat catfish cattle chamois cheetah "
    "chicken chigger chimp chipmunk clam cobra cod collie colt condor coral cougar cow coyote "
    "crab crane crappie crawdad crayfish cricket crow cub dane deer dingo dodo doe dog dolphin "
    "donkey dory dove dragon drake drum duck eagle eel egret elephant elf elk emu escargot "
    "ewe falcon fawn feline ferret filly finch firefly fish flamingo flea flounder fly foal "
    "fowl fox frog gannet gar gator gazelle gecko gelding gibbon giraffe glider gnat gnu goat "
    "goblin goose gopher gorilla grackle grizzly grouper grub guinea gull guppy haddock hake "
    "halibut hamster hare hawk hedgehog hen heron herring hippo hog honeybee hookworm hornet "
    "horse hound husky hyena ibex iguana impala insect jackal jaguar jay jennet joey kangaroo "
    "kid kingfish kit kite kitten kiwi koala koi krill lab lacewing ladybird ladybug lamb "
    "lamprey lark leech lemming lemur leopard liger lion lionfish lizard llama lobster locust "
    "longhorn loon louse lynx macaque macaw mackerel maggot magpie mako malamute mallard "
    "mammal mammoth man manatee mantis marlin marmoset marmot marten martin mastiff mastodon "
    "mayfly meerkat midge mink minnow mite moccasin mole mollusk molly monarch mongoose "
    "mongrel monitor monkey monster moose moray mosquito moth mouse mudfish mule mullet mustang "
    "mutt narwhal newt nightcrawler oarfish ocelot octopus opossum orca oriole oryx osprey "
    "ostrich owl ox oyster panda panther parakeet parrot peacock pegasus pelican penguin "
    "perch pheasant phoenix piglet pika pipefish piranha platypus polecat polliwog pony "
    "porpoise possum prawn primate pug puma pup python quagga quail quetzal rabbit raccoon "
    "ram raptor rat rattler raven ray redbird redfish reindeer reptile rhino robin rodent "
    "rooster sailfish salmon sawfish sculpin seagull seahorse seal shark sheep shepherd "
    "shrew shrimp silkworm skink skunk skylark slug snail snake snapper snipe sole sparrow "
    "spider sponge squid squirrel stag starfish starling stinkbug stork stud sturgeon sunbeam "
    "sunbird sunfish swan swift swine tadpole tahr tapir tarpon teal termite terrier tetra "
    "thrush tick tiger titmouse toad tomcat tortoise toucan treefrog trout tuna turkey turtle "
    "unicorn urchin vervet viper vulture wahoo walleye walrus warthog wasp weasel whale "
    "whippet wildcat wolf wombat woodcock worm wren yak yeti zebra"
).split()


def pet_name(length: int, separator: str, rng: random.Random) -> str:
    words = [rng.choice(_ADVERBS) for _ in range(max(length - 2, 0))]
    if length >= 2:
        words.append(rng.choice(_ADJECTIVES))
    if length >= 1:
        words.append(rng.choice(_NAMES))
    return separator.join(words).lower()


def _random_pet(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    separator = v.get("separator") if isinstance(v.get("separator"), str) else "-"
    pet = pet_name(_int(v.get("length"), 2), separator, _rng(seed))
    prefix = v.get("prefix")
    # resource_pet.go: prefix + separator + name, when a prefix is set.
    _fill(v, "id", f"{prefix}{separator}{pet}" if isinstance(prefix, str) and prefix else pet)


def _random_uuid(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    value = guid("random_uuid", *seed)
    _fill(v, "result", value)
    _fill(v, "id", value)


def _random_integer(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    low, high = _int(v.get("min"), 0), _int(v.get("max"), 0)
    # resource_integer.go: with a `seed`, the same seed always gives the same number.
    rng = _rng(("seed", v["seed"])) if isinstance(v.get("seed"), str) else _rng(seed)
    result = rng.randint(min(low, high), max(low, high))
    _fill(v, "result", result)
    _fill(v, "id", str(result))


def random_id_values(data: bytes, prefix: str) -> dict[str, str]:
    """resource_id.go: the ID is the bytes in unpadded URL-safe base64; each output is the prefix
    plus the bytes as unpadded URL-safe base64, padded standard base64, hex and decimal."""
    b64_url = base64.urlsafe_b64encode(data).decode().rstrip("=")
    return {
        "id": b64_url,
        "b64_url": prefix + b64_url,
        "b64_std": prefix + base64.b64encode(data).decode(),
        "hex": prefix + data.hex(),
        "dec": prefix + str(int.from_bytes(data, "big")),
    }


def _random_id(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    rng = _rng(seed)
    data = bytes(rng.randrange(256) for _ in range(max(_int(v.get("byte_length"), 8), 1)))
    prefix = v.get("prefix") if isinstance(v.get("prefix"), str) else ""
    for name, value in random_id_values(data, prefix).items():
        _fill(v, name, value)


def _random_shuffle(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    items = [x for x in v.get("input") or [] if x is not UNKNOWN]
    count = _int(v.get("result_count"), len(items))
    rng = _rng(("seed", v["seed"])) if isinstance(v.get("seed"), str) else _rng(seed)
    result: list[Any] = []
    # resource_shuffle.go: whole permutations, one after another, until `result_count` are taken.
    while items and len(result) < count:
        batch = list(items)
        rng.shuffle(batch)
        result += batch[: count - len(result)]
    _fill(v, "result", result)
    _fill(v, "id", "-")


# --- hashicorp/null ---------------------------------------------------------------------------


def _number_string(seed: Seed) -> str:
    # null's ID is fmt.Sprintf("%d", rand.Int()): a non-negative int64.
    return str(_rng(seed).randrange(1, 2**63))


def _null_resource(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    _fill(v, "id", _number_string(seed))


def _null_data_source(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    _fill(v, "outputs", v.get("inputs") if isinstance(v.get("inputs"), dict) else None)
    _fill(v, "random", _number_string(seed))
    _fill(v, "has_computed_default", "default")
    _fill(v, "id", "static")


# --- Azure/modtm ------------------------------------------------------------------------------


def _modtm_telemetry(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    _fill(v, "id", guid("modtm_telemetry", *seed))  # uuid.NewString() at create
    for name in ("nonce", "ephemeral_number"):  # unknown ones become null at create
        if v.get(name) is UNKNOWN:
            v[name] = None


def module_source(module_path: Any) -> tuple[str | None, str | None]:
    """(source, version) of the module whose directory is `module_path`, from Terraform's
    `$TF_DATA_DIR/modules/modules.json` in the working directory, as modtm reads it; a root
    module or a missing file gives nulls."""
    if not isinstance(module_path, str):
        return None, None
    manifest = Path(os.environ.get("TF_DATA_DIR", ".terraform")) / "modules" / "modules.json"
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules", [])
    except (OSError, ValueError, AttributeError):
        return None, None
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("Dir") == module_path:
            return entry.get("Source"), entry.get("Version")
    return None, None


def _modtm_module_source(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    source, version = module_source(v.get("module_path"))
    for name, value in (("module_source", source), ("module_version", version)):
        if v.get(name) is UNKNOWN:
            v[name] = value


# --- hashicorp/azuread ------------------------------------------------------------------------

_DOMAIN = "contoso.onmicrosoft.com"


def _first(v: dict[str, Any], *names: str) -> str | None:
    return next((v[n] for n in names if isinstance(v.get(n), str) and v[n]), None)


def _azuread_client_config(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    for name in ("client_id", "object_id", "tenant_id"):
        _fill(v, name, getattr(fx, name))
    _fill(v, "id", f"{fx.tenant_id}-{fx.client_id}-{fx.object_id}")


def _user(v: dict[str, Any], fx: Fixture, key: str) -> None:
    """One user's attributes, derived from whichever identifier the lookup gave (`key`)."""
    object_id = v.get("object_id") if isinstance(v.get("object_id"), str) else guid("azuread_user", key)
    upn = _first(v, "user_principal_name") or f"{key.split('@', 1)[0].lower()}@{_DOMAIN}"
    local = upn.split("@", 1)[0]
    given, _, surname = local.replace("_", ".").partition(".")
    _fill(v, "object_id", object_id)
    _fill(v, "user_principal_name", upn)
    _fill(v, "mail", upn)
    _fill(v, "mail_nickname", local)
    _fill(v, "display_name", " ".join(p.capitalize() for p in (given, surname) if p) or local)
    _fill(v, "given_name", given.capitalize() or None)
    _fill(v, "surname", surname.capitalize() or None)
    _fill(v, "account_enabled", True)
    _fill(v, "user_type", "Member")
    _fill(v, "usage_location", "NL")
    _fill(v, "id", f"/users/{object_id}")


def _azuread_user(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    key = _first(v, "user_principal_name", "object_id", "mail", "mail_nickname", "employee_id") or "user"
    _user(v, fx, key)


_USERS_INPUTS = ("user_principal_names", "object_ids", "mails", "mail_nicknames", "employee_ids")
_USER_FIELDS = {"user_principal_names": "user_principal_name", "object_ids": "object_id", "mails": "mail",
                "mail_nicknames": "mail_nickname", "employee_ids": "employee_id"}
_USERS_ELEMENT = ("account_enabled", "display_name", "employee_id", "mail", "mail_nickname", "object_id",
                  "onpremises_immutable_id", "onpremises_sam_account_name", "onpremises_user_principal_name",
                  "usage_location", "user_principal_name")


def _azuread_users(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    given = next((n for n in _USERS_INPUTS if isinstance(v.get(n), list) and v[n]), None)
    keys = [k for k in (v.get(given) or []) if isinstance(k, str)] if given else []
    if not keys and v.get("return_all") is True:
        keys = ["user1@" + _DOMAIN, "user2@" + _DOMAIN]
    users = []
    for key in keys:
        user = {name: UNKNOWN for name in _USERS_ELEMENT}
        if given:
            user[_USER_FIELDS[given]] = key
        _user(user, fx, key)
        users.append({name: (None if user.get(name) is UNKNOWN else user.get(name)) for name in _USERS_ELEMENT})
    _fill(v, "users", users)
    for name, field_name in _USER_FIELDS.items():
        _fill(v, name, [u[field_name] for u in users])
    _fill(v, "id", "users#" + base64.urlsafe_b64encode(hashlib.sha1(repr(keys).encode()).digest()).decode())


def _group(v: dict[str, Any], fx: Fixture, object_id: str) -> None:
    name = _first(v, "display_name") or f"group-{object_id[:8]}"
    _fill(v, "object_id", object_id)
    _fill(v, "display_name", name)
    _fill(v, "mail_nickname", "".join(c for c in name if c.isalnum()) or object_id[:8])
    _fill(v, "security_enabled", True)
    _fill(v, "mail_enabled", False)
    _fill(v, "visibility", "Private")
    _fill(v, "id", f"/groups/{object_id}")


def _azuread_group_data(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    given = v.get("object_id") if isinstance(v.get("object_id"), str) else None
    _group(v, fx, given or guid("azuread_group", _first(v, "display_name", "mail_nickname") or "group"))


def _azuread_group(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    _group(v, fx, guid("azuread_group", *seed))


def _azuread_group_member(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    _fill(v, "id", f"{v.get('group_object_id')}/member/{v.get('member_object_id')}")


def _azuread_application(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    object_id = guid("azuread_application", *seed)
    _fill(v, "object_id", object_id)
    _fill(v, "client_id", guid("azuread_application.client_id", *seed))
    _fill(v, "publisher_domain", _DOMAIN)
    _fill(v, "id", f"/applications/{object_id}")


def _service_principal(v: dict[str, Any], fx: Fixture, object_id: str) -> None:
    client_id = _first(v, "client_id") or guid("azuread_service_principal.client_id", object_id)
    _fill(v, "object_id", object_id)
    _fill(v, "client_id", client_id)
    _fill(v, "display_name", f"sp-{client_id[:8]}")
    _fill(v, "application_tenant_id", fx.tenant_id)
    _fill(v, "account_enabled", True)
    _fill(v, "type", "Application")
    _fill(v, "sign_in_audience", "AzureADMyOrg")
    _fill(v, "service_principal_names", [client_id])
    _fill(v, "id", f"/servicePrincipals/{object_id}")


# Azure Image Builder's first-party app: its service principal in the pretend tenant is the one
# the simulated Image Builder builds with (fixture.py, image_builder_object_id).
IMAGE_BUILDER_APP_ID = "cf32a0cc-373c-47c9-9156-0db11f6a6dfc"


def _azuread_service_principal_data(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    given = v.get("object_id") if isinstance(v.get("object_id"), str) else None
    if given is None and str(v.get("client_id") or "").lower() == IMAGE_BUILDER_APP_ID:
        given = fx.image_builder_object_id
        _fill(v, "display_name", "Azure Virtual Machine Image Builder")
    _service_principal(v, fx, given or guid("azuread_service_principal", _first(v, "client_id", "display_name") or "sp"))


def _azuread_service_principal(v: dict[str, Any], fx: Fixture, seed: Seed) -> None:
    _service_principal(v, fx, guid("azuread_service_principal", *seed))


Hook = Callable[[dict[str, Any], Fixture, Seed], None]

HOOKS: dict[str, Hook] = {
    "random_string": _random_string,
    "random_password": _random_password,
    "random_pet": _random_pet,
    "random_uuid": _random_uuid,
    "random_integer": _random_integer,
    "random_id": _random_id,
    "random_shuffle": _random_shuffle,
    "null_resource": _null_resource,
    "modtm_telemetry": _modtm_telemetry,
    "azuread_group": _azuread_group,
    "azuread_group_member": _azuread_group_member,
    "azuread_application": _azuread_application,
    "azuread_service_principal": _azuread_service_principal,
}
DATA_HOOKS: dict[str, Hook] = {
    "null_data_source": _null_data_source,
    "modtm_module_source": _modtm_module_source,
    "azuread_client_config": _azuread_client_config,
    "azuread_user": _azuread_user,
    "azuread_users": _azuread_users,
    "azuread_group": _azuread_group_data,
    "azuread_service_principal": _azuread_service_principal_data,
}

# Defaults random's schema declares (booldefault/int64default/stringdefault), planned as known.
_CHARSET_DEFAULTS = {"special": True, "upper": True, "lower": True, "min_lower": 0, "min_upper": 0, "min_numeric": 0, "min_special": 0}
PLAN_DEFAULTS: dict[str, dict[str, Any]] = {
    "random_string": _CHARSET_DEFAULTS,
    "random_password": _CHARSET_DEFAULTS,
    "random_pet": {"length": 2, "separator": "-"},
}


def adjust_plan(type_name: str, planned: dict[str, Any]) -> dict[str, Any]:
    out = dict(planned)
    for name, default in PLAN_DEFAULTS.get(type_name, {}).items():
        _fill(out, name, default)
    if type_name in ("random_string", "random_password"):
        # NumberNumericAttributePlanModifier: `number` and `numeric` mirror each other; both
        # unset means true.
        number, numeric = out.get("number"), out.get("numeric")
        value = numeric if isinstance(numeric, bool) else number if isinstance(number, bool) else True
        _fill(out, "number", value)
        _fill(out, "numeric", value)
    return out


# Every argument of a random_* resource forces a new one (RequiresReplace in each schema), and
# `keepers` does when its values change (RequiresReplaceIfValuesNotNull).
_CHARSET_ARGS = ("keepers", "length", "special", "upper", "lower", "number", "numeric", "min_lower", "min_upper", "min_numeric", "min_special", "override_special")
FORCE_NEW: dict[str, tuple[str, ...]] = {
    "random_string": _CHARSET_ARGS,
    "random_password": _CHARSET_ARGS,
    "random_pet": ("keepers", "length", "prefix", "separator"),
    "random_uuid": ("keepers",),
    "random_integer": ("keepers", "min", "max", "seed"),
    "random_id": ("keepers", "byte_length", "prefix"),
    "random_shuffle": ("keepers", "input", "seed", "result_count"),
    "null_resource": ("triggers",),  # ForceNew in null's resource.go
    # azuread (ForceNew in the resources' schemas)
    "azuread_group": ("assignable_to_role", "behaviors", "mail_nickname", "provisioning_options", "types"),
    "azuread_group_member": ("group_object_id", "member_object_id"),
    "azuread_application": ("template_id",),
    "azuread_service_principal": ("client_id",),
}


def replaced(type_name: str, name: str, before: Any, after: Any) -> bool:
    """Whether a change of `name` from `before` to `after` forces a new resource."""
    if name not in FORCE_NEW.get(type_name, ()) or before == after:
        return False
    if name == "override_special" and {before, after} <= {None, ""}:
        return False  # RequiresReplaceUnlessEmptyStringToNull
    if name == "keepers" and after is not None and isinstance(after, dict) and all(x is None for x in after.values()):
        return False  # RequiresReplaceIfValuesNotNull
    return True
