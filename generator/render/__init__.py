"""Catalog -> file texts, in memory, then onto disk: Jinja templates and their view models, docs tables, tfvars JSON Schemas, `terraform fmt`, the staged writer.

`templates.render_module(catalog, templates/) -> {path: text}` is pure; `format` runs
`terraform fmt` over those texts; `writer` classifies them against the tree and writes them.
"""
