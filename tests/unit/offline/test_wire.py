"""cty type parsing and the msgpack/JSON value codecs."""

from __future__ import annotations

import copy
from decimal import Decimal

import msgpack
import pytest

from generator.offline.wire import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    UNKNOWN,
    Dyn,
    dyn,
    from_json,
    from_msgpack,
    infer_type,
    list_of,
    map_of,
    object_of,
    parse_type,
    set_of,
    to_json,
    to_msgpack,
    tuple_of,
)

OBJ = object_of({"name": STRING, "size": NUMBER, "tags": map_of(STRING), "on": BOOL})

# (type, value) pairs covering every type, nulls, and dynamic values of several shapes.
KNOWN_CASES = [
    (STRING, "héllo"),
    (STRING, ""),
    (NUMBER, 42),
    (NUMBER, -(2**40)),
    (NUMBER, 1.5),
    (NUMBER, Decimal("0.1")),
    (NUMBER, 2**70),  # beyond int64: travels as a decimal string
    (BOOL, True),
    (BOOL, False),
    (list_of(STRING), ["a", "b"]),
    (list_of(STRING), []),
    (set_of(NUMBER), [1, 2]),
    (map_of(list_of(STRING)), {"k": ["v"], "e": []}),
    (tuple_of([STRING, NUMBER, BOOL]), ["x", 1, True]),
    (OBJ, {"name": "n", "size": 3, "tags": {"a": "b"}, "on": None}),
    (object_of({}), {}),
    (list_of(OBJ), [{"name": None, "size": None, "tags": None, "on": True}]),
    (DYNAMIC, Dyn(STRING, "s")),
    (DYNAMIC, Dyn(OBJ, {"name": "n", "size": 1, "tags": {}, "on": False})),
    (DYNAMIC, dyn({"properties": {"customize": [{"type": "PowerShell"}, {"type": "WindowsRestart"}]}})),
    (DYNAMIC, Dyn(STRING, None)),  # typed null inside a dynamic slot
    (object_of({"body": DYNAMIC, "n": NUMBER}), {"body": Dyn(list_of(NUMBER), [1]), "n": 0}),
    (list_of(DYNAMIC), [Dyn(STRING, "a"), Dyn(NUMBER, 1), None]),
]
for ty in (STRING, NUMBER, BOOL, DYNAMIC, list_of(STRING), set_of(STRING), map_of(STRING), OBJ, tuple_of([STRING])):
    KNOWN_CASES.append((ty, None))

UNKNOWN_CASES = [
    (STRING, UNKNOWN),
    (DYNAMIC, UNKNOWN),
    (list_of(STRING), ["a", UNKNOWN]),
    (set_of(STRING), UNKNOWN),
    (map_of(NUMBER), {"a": UNKNOWN}),
    (tuple_of([STRING, BOOL]), [UNKNOWN, True]),
    (OBJ, {"name": UNKNOWN, "size": 1, "tags": UNKNOWN, "on": None}),
    (list_of(OBJ), [{"name": "x", "size": UNKNOWN, "tags": {"k": UNKNOWN}, "on": False}]),
    (DYNAMIC, Dyn(object_of({"a": STRING}), {"a": UNKNOWN})),
    (DYNAMIC, Dyn(STRING, UNKNOWN)),
]


@pytest.mark.parametrize(
    "spec",
    [
        "string",
        "number",
        "bool",
        "dynamic",
        ["list", "string"],
        ["set", ["map", "number"]],
        ["map", ["list", ["object", {"a": "string"}]]],
        ["object", {"a": "string", "b": ["list", "bool"]}],
        ["object", {"a": "string", "b": "number"}, ["b"]],
        ["tuple", ["string", ["list", "dynamic"]]],
        ["tuple", []],
        ["object", {}],
    ],
)
def test_type_notation_round_trips(spec):
    ty = parse_type(spec)
    assert ty.to_json() == spec
    assert parse_type(ty.json_bytes()) == ty


@pytest.mark.parametrize(
    "bad", ["strng", ["list"], ["list", "string", "x"], ["object", {"a": "string"}, ["b"]], 5, ["tuple", "string"]]
)
def test_invalid_type_notation_is_rejected(bad):
    with pytest.raises(ValueError):
        parse_type(bad)


@pytest.mark.parametrize(("ty", "value"), KNOWN_CASES + UNKNOWN_CASES)
def test_msgpack_round_trip(ty, value):
    assert from_msgpack(to_msgpack(value, ty), ty) == value


@pytest.mark.parametrize(("ty", "value"), KNOWN_CASES)
def test_json_round_trip(ty, value):
    assert from_json(to_json(value, ty), ty) == value


@pytest.mark.parametrize(("ty", "value"), UNKNOWN_CASES)
def test_json_cannot_carry_unknowns(ty, value):
    with pytest.raises(ValueError, match="unknown"):
        to_json(value, ty)


def test_msgpack_matches_cty_encoding():
    # Objects as maps with sorted keys, unknown as extension 0, dynamic as [type JSON, value].
    ty = object_of({"b": DYNAMIC, "a": STRING})
    raw = msgpack.unpackb(to_msgpack({"a": UNKNOWN, "b": Dyn(STRING, "x")}, ty), raw=False)
    assert list(raw) == ["a", "b"]
    assert raw["a"] == msgpack.ExtType(0, b"")
    assert raw["b"] == [b'"string"', "x"]


def test_refined_unknowns_and_string_numbers_are_read():
    # Terraform >= 1.6 refines unknowns (extension 12); cty sends inexact numbers as strings.
    data = msgpack.packb([msgpack.ExtType(12, b"\x81\x01\xc3"), "0.1", "123456789012345678901234567890"])
    assert from_msgpack(data, tuple_of([STRING, NUMBER, NUMBER])) == [
        UNKNOWN,
        Decimal("0.1"),
        123456789012345678901234567890,
    ]


def test_json_dynamic_uses_value_and_type():
    assert to_json(Dyn(list_of(STRING), ["a"]), DYNAMIC) == b'{"value":["a"],"type":["list","string"]}'
    assert from_json(b'{"value":{"k":1.25},"type":["object",{"k":"number"}]}', DYNAMIC) == Dyn(
        object_of({"k": NUMBER}), {"k": Decimal("1.25")}
    )


def test_objects_decode_leniently_for_state_from_older_schemas():
    ty = object_of({"kept": STRING, "added": NUMBER})
    assert from_json(b'{"kept":"x","removed":true}', ty) == {"kept": "x", "added": None}


@pytest.mark.parametrize(
    ("ty", "value"),
    [(STRING, 1), (NUMBER, "x"), (NUMBER, True), (BOOL, "true"), (list_of(STRING), "a"), (OBJ, {"nope": 1})],
)
def test_wrong_python_values_are_rejected(ty, value):
    with pytest.raises(ValueError):
        to_msgpack(value, ty)


def test_infer_type_for_native_values():
    assert infer_type({"a": [1, "x"], "b": None}) == object_of({"a": tuple_of([NUMBER, STRING]), "b": DYNAMIC})


def test_unknown_is_a_singleton():
    assert copy.deepcopy([UNKNOWN])[0] is UNKNOWN
    assert repr(UNKNOWN) == "UNKNOWN"
