"""What templates see: view models built from the catalog, presentation-ready (sorted, tables)."""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog.model import Catalog, Variable
from . import docs


@dataclass(frozen=True)
class ModuleView:
    """What module templates see: the catalog plus derived, presentation-ready values."""

    catalog: Catalog
    variables: tuple[Variable, ...]  # required first, then by name (AVM TFNFR16)
    inputs_table: str
    outputs_table: str

    @property
    def settings(self):
        return self.catalog.settings


def module_view(catalog: Catalog) -> ModuleView:
    ordered = tuple(sorted(catalog.variables, key=lambda v: (not v.required, v.name)))
    return ModuleView(
        catalog=catalog,
        variables=ordered,
        inputs_table=docs.inputs_table(catalog.variables),
        outputs_table=docs.outputs_table(catalog.outputs),
    )
