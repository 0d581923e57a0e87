"""Checks of what render wrote (`rules`: fmt, python-hcl2 round trip, catalog consistency) and of tfvars files against the generated schemas (`tfvars`: validate-vars)."""
