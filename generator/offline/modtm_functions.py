"""Azure/modtm 0.3's provider functions (internal/provider/module_{source,version}_function.go at
v0.3.5): `module_source(module_path)` and `module_version(module_path)`, the `Source` and
`Version` of the `.terraform/modules/modules.json` entry whose `Dir` is `module_path`, as the
data source `modtm_module_source` reads them; "" when there is none (the framework's
ValueString of a null string)."""

from __future__ import annotations

from .functions import Function, Param
from .generic import module_source
from .wire import STRING

_PATH = Param("module_path", STRING, "`${path.module}`")
_DESCRIPTION = (
    "This function takes in `${path.module}` and return the corresponding item's `%s` in `modules.json` file in "
    "the current root module's `.terraform/module` folder"
)

FUNCTIONS = (
    Function("module_source", (_PATH,), STRING, "`module_source` function", _DESCRIPTION % "Source",
             lambda path: module_source(path)[0] or ""),
    # modtm's module_version function keeps the summary of module_source (as it is in v0.3.5).
    Function("module_version", (_PATH,), STRING, "`module_source` function", _DESCRIPTION % "Version",
             lambda path: module_source(path)[1] or ""),
)
