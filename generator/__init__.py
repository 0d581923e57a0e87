"""avdgen: render Terraform modules for AVD golden images from a variable catalog, and test them offline.

One package per stage of the data path; a package imports only the ones below it
(tests/unit/test_import_graph.py enforces it):

    cli/       click commands: parse, call one function below, print, map outcomes to exit codes
    ops/       day-2 operations: the generated tree, build commands, pipelines, promotion, cost
    harness/   running Terraform: a private initialised copy, plans, simulated applies, inventories
    lint/      checks of what render wrote and of tfvars files
    render/    catalog -> file texts: Jinja, docs tables, tfvars JSON Schemas, fmt, the staged writer
    catalog/   the variable catalog: YAML with lines, JSON Schema check, the frozen model
    offline/   the offline Terraform provider (imports nothing above it)
    errors.py, hcl.py, terraform_binary.py, textfile.py: small helpers every stage may use
    __main__.py: the entry point (signal handlers first, then the CLI)
"""
