"""The offline provider: a Terraform plugin (protocol 6) that stands in for azurerm, azapi and time.

Modules, lowest first: `wire` (cty types and values, msgpack/JSON), `proto` (tfplugin6 messages),
`schema` (schema JSON -> protobuf and cty types, cached), `fixture` (the pretend Azure identity
and clock), `walk` (schema-driven value walks), `resources` (per-type replace rules and computed
values), `servicer` (the RPCs), `server` (the plugin process), `mirror` (making Terraform use it),
`reattach` (long-lived servers Terraform reattaches to instead of starting), `schema_import`
(replacing the vendored schemas with real dumps). It imports nothing above it; its commands
are in generator/cli/plan.py.
"""
