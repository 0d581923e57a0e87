"""Terraform's version constraint syntax (generator/offline/versions.py), checked against the
examples on https://developer.hashicorp.com/terraform/language/expressions/version-constraints."""

from __future__ import annotations

import pytest

from generator.offline.versions import ConstraintError, Version, allows, parse_constraint, pick


@pytest.mark.parametrize(
    ("constraint", "version", "expected"),
    [
        ("1.2.0", "1.2.0", True),  # no operator: exactly
        ("= 1.2.0", "1.2.1", False),
        ("!= 1.2.0", "1.2.1", True),
        ("!= 1.2.0", "1.2.0", False),
        ("> 1.2.0", "1.2.0", False),
        ("> 1.2.0", "1.2.1", True),
        (">= 1.2", "1.2.0", True),  # a missing component is zero
        ("< 2.0", "1.99.99", True),
        ("< 2.0", "2.0.0", False),
        ("<= 2.0", "2.0.0", True),
        # "~> 1.0.4: Allows Terraform to install 1.0.5 and 1.0.10 but not 1.1.0."
        ("~> 1.0.4", "1.0.5", True),
        ("~> 1.0.4", "1.0.10", True),
        ("~> 1.0.4", "1.1.0", False),
        ("~> 1.0.4", "1.0.3", False),
        # "~> 1.1: Allows Terraform to install 1.2 and 1.10 but not 2.0."
        ("~> 1.1", "1.2.0", True),
        ("~> 1.1", "1.10.0", True),
        ("~> 1.1", "2.0.0", False),
        ("~> 1", "1.9.0", True),
        ("~> 1", "2.0.0", False),
        # a comma list: every condition must hold
        (">= 1.2.0, < 2.0.0", "1.5.0", True),
        (">= 1.2.0, < 2.0.0", "2.0.0", False),
        (">= 3.5.0, < 4.0.0, != 3.6.0", "3.6.0", False),
        ("", "0.0.1", True),
        # prereleases only match an exact condition
        ("= 2.0.0-beta1", "2.0.0-beta1", True),
        (">= 1.0.0", "2.0.0-beta1", False),
        ("~> 2.0", "2.1.0-rc1", False),
    ],
)
def test_allows(constraint, version, expected):
    assert allows(parse_constraint(constraint), version) is expected


def test_prerelease_orders_before_its_release():
    assert Version.parse("2.0.0-beta1") < Version.parse("2.0.0")
    assert Version.parse("2.0.0-beta.2") < Version.parse("2.0.0-beta.10")
    assert Version.parse("1.10.0") > Version.parse("1.9.9")


@pytest.mark.parametrize(
    ("constraint", "preferred", "expected"),
    [
        ("~> 4.0", "4.79.0", "4.79.0"),  # the schema's own version when allowed
        (">= 3.5.0, < 4.0.0", "3.7.2", "3.7.2"),
        ("~> 3.100", "4.79.0", "3.100.0"),  # else a version the constraint names
        ("~> 3.116.0", "4.79.0", "3.116.0"),
        ("> 5.0.0", "4.79.0", "5.0.1"),
        ("< 4.0.0", "4.79.0", "3.0.0"),
        ("< 4.2.0, >= 4.1.3", "4.79.0", "4.1.3"),
        ("= 2.4.0", "2.5.0", "2.4.0"),
        ("", "0.13.1", "0.13.1"),
        ("", None, "1.0.0"),
    ],
)
def test_pick(constraint, preferred, expected):
    assert str(pick(parse_constraint(constraint), preferred)) == expected


def test_pick_finds_nothing_for_contradictions():
    assert pick(parse_constraint(">= 2.0, < 1.0"), "1.5.0") is None
    assert pick(parse_constraint("= 1.0.0, != 1.0.0")) is None


@pytest.mark.parametrize("bad", ["~>", "1.x", ">= 1.0,", "=> 1.0", "latest", ">= 1.0,,< 2"])
def test_bad_constraints_are_refused(bad):
    with pytest.raises(ConstraintError):
        parse_constraint(bad)
