"""The offline provider: a Terraform plugin (protocol 6) that stands in for azurerm, azapi and time, with a simulated Azure behind its applies.

Modules, lowest first: `wire` (cty types and values, msgpack/JSON), `proto` (tfplugin6 messages),
`functions` (provider functions: signatures and calls) with `azapi_functions` and
`azurerm_functions` (each provider's, as it computes them), `schema` (schema JSON -> protobuf
and cty types, cached; with the provider's functions), `fixture` (the pretend Azure identity
and clock), `walk` (schema-driven value walks), `resources` (per-type replace rules and computed
values); the simulated cloud: `cloud` (what exists, the clock), `customizers` (whether a build's
PowerShell steps fail), `services` (each service's rules, with sources), `azapi_types` and
`azapi` (azapi 2.5's validation, outputs and request flows), `apply` (what applying each
resource type sends), `simulator` (az-like verbs for tests), `az` (the `az` commands avdgen
runs, answered by the cloud: a stand-in for the real CLI on PATH); then `servicer` (the RPCs),
`server` (the plugin process), `mirror` (making Terraform use it),
`reattach` (long-lived servers Terraform reattaches to instead of starting), `launcher` and
`warm` (the plugin Terraform starts, in front of a warm per-user server), `schema_import`
(replacing the vendored schemas with real dumps). It imports nothing above it; its commands
are in generator/cli/plan.py.
"""
