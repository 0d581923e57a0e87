"""Provider-defined functions (Terraform >= 1.8): their signatures, and calling them.

Each provider's functions are declared in its own module (`azapi_functions`, `azurerm_functions`;
`schema.provider_functions` finds them) as `Function` values, with the names, parameter types,
descriptions and results of the real provider's plugin-framework definitions. Terraform reads them from GetProviderSchema's
`functions` (GetFunctions when it holds a cached schema), checks nulls, unknowns and argument
types itself, and calls CallFunction with each argument as a DynamicValue of its parameter type.

Errors: a function's own failure is a FunctionError without an argument (Terraform prints "Error
in function call"), as both providers return theirs (`function.NewFuncError`); an argument the
provider cannot decode names its position (terraform-plugin-framework's
`fromproto6.ArgumentsData`; Terraform prints "Invalid function argument").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .proto import pb
from .wire import UNKNOWN, CtyType, from_json, from_msgpack, to_msgpack

_MARKDOWN = 1  # tfplugin6.StringKind.MARKDOWN


class FunctionFailure(Exception):
    """What a function returns as its error; `argument` is a 0-based position, or None."""

    def __init__(self, text: str, argument: int | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.argument = argument


@dataclass(frozen=True)
class Param:
    name: str
    type: CtyType
    description: str


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple[Param, ...]
    returns: CtyType
    summary: str
    description: str
    run: Callable[..., Any]  # the decoded arguments in order -> the result value

    def proto(self) -> Any:
        # The framework sends MarkdownDescription (with kind MARKDOWN) when it is set, as it is
        # for every function here (internal/toproto6/function.go).
        return pb.Function(
            parameters=[
                pb.Function.Parameter(
                    name=p.name, type=p.type.json_bytes(), description=p.description, description_kind=_MARKDOWN
                )
                for p in self.params
            ],
            summary=self.summary,
            description=self.description,
            description_kind=_MARKDOWN,
            **{"return": pb.Function.Return(type=self.returns.json_bytes())},
        )


def call(functions: dict[str, Function], request: Any) -> Any:
    """A CallFunction request answered from `functions`: the result, or the function's error."""
    function = functions.get(request.name)
    if function is None:
        return _error(FunctionFailure(f"The offline provider has no function {request.name!r}."))
    if len(request.arguments) != len(function.params):
        return _error(
            FunctionFailure(
                "Unexpected Function Arguments Data: the provider received an unexpected number of function "
                f"arguments.\n\nExpected function arguments: {len(function.params)}\n"
                f"Given function arguments: {len(request.arguments)}"
            )
        )
    args = []
    for position, (dv, param) in enumerate(zip(request.arguments, function.params, strict=True)):
        try:
            args.append(from_msgpack(dv.msgpack, param.type) if dv.msgpack else from_json(dv.json, param.type))
        except (ValueError, TypeError) as exc:
            text = f"Unable to Convert Function Argument: Unable to unmarshal DynamicValue at position {position}: {exc}"
            return _error(FunctionFailure(text, position))
        if args[-1] is None or args[-1] is UNKNOWN:  # Terraform checks these first; never sent
            what = "null" if args[-1] is None else "unknown"
            return _error(FunctionFailure(f"Invalid argument at position {position}: {what} value", position))
    try:
        result = function.run(*args)
    except FunctionFailure as failure:
        return _error(failure)
    return pb.CallFunction.Response(result=pb.DynamicValue(msgpack=to_msgpack(result, function.returns)))


def _error(failure: FunctionFailure) -> Any:
    error = pb.FunctionError(text=failure.text)
    if failure.argument is not None:
        error.function_argument = failure.argument
    return pb.CallFunction.Response(error=error)
