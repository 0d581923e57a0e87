"""The variable catalog: YAML read with the line of every key, checked against its JSON Schema, then frozen dataclasses.

`source` reads YAML and reports problems as `file:line: key.path: message`; `hcl_types` turns HCL
type constraints into JSON Schema; `model` is the frozen catalog; `value_schema` is the JSON
Schema of the values a catalog accepts; `load` builds the model from catalog/ and checks it.
Nothing here knows about templates or rendered files.
"""
