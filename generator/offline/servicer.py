"""tfplugin6.Provider for one offline provider: schema from JSON, plan and apply simulated.

Every RPC returns its problems as Diagnostics; an exception inside one becomes an error
diagnostic naming the RPC and the type, never a gRPC failure with a Python traceback.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from . import apply as cloud_apply
from .azapi import Failure, validation_problems
from .cloud import Cloud, cloud_path
from .fixture import Fixture, rfc3339
from .functions import call as call_function
from .generic import config_key
from .generic import generated as generic_type
from .proto import pb
from .resources import adjust_plan, complete, requires_replace
from .schema import ProviderSchema, implied_type, provider_functions, server_capabilities
from .walk import SET_ELEMENT, Key, Path, Problem, config_problems, mark_unknown, null_write_only
from .wire import UNKNOWN, CtyType, from_json, from_msgpack, to_msgpack


def attribute_path(path: Path) -> Any:
    """A walk path as tfplugin6.AttributePath (cut before a set element, which has no key)."""
    msg = pb.AttributePath()
    for step in path:
        if step is SET_ELEMENT:
            break
        if isinstance(step, Key):
            msg.steps.add(element_key_string=step.key)
        elif isinstance(step, int):
            msg.steps.add(element_key_int=step)
        else:
            msg.steps.add(attribute_name=step)
    return msg


def error(summary: str, detail: str = "", path: Path = ()) -> Any:
    diag = pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)
    if path:
        diag.attribute.CopyFrom(attribute_path(path))
    return diag


def _problem(p: Problem) -> Any:
    return error(p.summary, p.detail, p.path)


def _rpc(method: Callable[..., Any]) -> Callable[..., Any]:
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self: ProviderServicer, request: Any, context: Any = None) -> Any:
        # Which connection (provider instance) is calling, for its provider configuration.
        self._caller.peer = context.peer() if context is not None else ""
        try:
            return method(self, request)
        except Exception as exc:  # any failure becomes a diagnostic, never a gRPC error
            import traceback  # only on failure: startup time matters more

            traceback.print_exc(file=sys.stderr)  # lands in Terraform's TF_LOG plugin output
            return _failure(name, request, exc)

    return wrapper


def _failure(rpc: str, request: Any, exc: Exception) -> Any:
    response = getattr(pb, rpc).Response()
    what = getattr(request, "type_name", "") or getattr(request, "target_type_name", "")
    summary = f"Offline provider: {rpc} failed" + (f" for {what}" if what else "")
    detail = f"{type(exc).__name__}: {exc}"
    fields = response.DESCRIPTOR.fields_by_name
    if "diagnostics" in fields:
        response.diagnostics.append(error(summary, detail))
    elif "error" in fields:  # CallFunction
        response.error.text = f"{summary}: {detail}"
    elif "Error" in fields:  # StopProvider
        response.Error = f"{summary}: {detail}"
    return response


# Provider configurations remembered per connection; a long-lived (reattached) server sees a new
# connection per provider instance of every command, and forgets the oldest beyond this.
_MAX_CONFIGURED = 1024


class ProviderServicer:
    """Serves one provider (`azurerm`, `azapi`, `time`, ...) from its schema.

    Terraform configures each provider instance (one per provider block or alias, per command)
    over its own gRPC connection. A plugin Terraform spawns serves one instance; a reattached
    one serves them all, so the configuration is kept per connection (gRPC peer address),
    never shared between instances or concurrent Terraform processes.
    """

    def __init__(
        self,
        load_schema: Callable[[], ProviderSchema],
        fixture: Fixture | None = None,
        on_stop: Callable[[], None] = lambda: None,
        environ: Mapping[str, str] | None = None,
        types: dict[tuple[str, str], tuple[dict[str, Any], CtyType]] | None = None,
    ) -> None:
        self._load_schema = load_schema
        self._schema: ProviderSchema | None = None
        self._lock = threading.Lock()
        # `types` may be shared by servicers of one schema (warm.py's endpoints).
        self._types: dict[tuple[str, str], tuple[dict[str, Any], CtyType]] = {} if types is None else types
        self._environ = environ  # where the simulated cloud is (None: this process's environment)
        self._base_fixture = fixture or Fixture.from_env()
        self._configured: OrderedDict[str, Fixture] = OrderedDict()  # by peer
        self._configured_lock = threading.Lock()
        self._caller = threading.local()
        self._on_stop = on_stop

    @property
    def fixture(self) -> Fixture:
        """The calling instance's fixture: the base one until ConfigureProvider applies the
        provider block."""
        with self._configured_lock:
            return self._configured.get(getattr(self._caller, "peer", ""), self._base_fixture)

    @property
    def schema(self) -> ProviderSchema:
        """The schema, loaded on first use (by one thread; others wait for it)."""
        with self._lock:
            if self._schema is None:
                self._schema = self._load_schema()
            return self._schema

    def _type(self, kind: str, type_name: str) -> tuple[dict[str, Any], CtyType]:
        """(block JSON, implied cty type) of a resource (`kind="resource"`), data source or the
        provider block (`kind="provider"`)."""
        key = (kind, type_name)
        if key not in self._types:
            block = self.schema.provider_block() if kind == "provider" else self.schema.block(kind, type_name)
            self._types[key] = (block, implied_type(block))
        return self._types[key]

    # --- schema and configuration -------------------------------------------------------------

    @_rpc
    def GetMetadata(self, request: Any) -> Any:
        return pb.GetMetadata.Response(
            server_capabilities=server_capabilities(),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in self.schema.type_names("resource")],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in self.schema.type_names("data")],
            functions=[pb.GetMetadata.FunctionMetadata(name=n) for n in sorted(provider_functions(self.schema.provider))],
        )

    @_rpc
    def GetProviderSchema(self, request: Any) -> Any:
        return self.schema.response()

    def serialized_provider_schema(self, request: Any, context: Any = None) -> bytes:
        """GetProviderSchema's response as the server sends it: the cached bytes as they are."""
        try:
            return self.schema.response_bytes()
        except Exception:  # the diagnostic, as GetProviderSchema reports it
            return self.GetProviderSchema(request, context).SerializeToString()

    @_rpc
    def ValidateProviderConfig(self, request: Any) -> Any:
        block, ty = self._type("provider", "")
        problems = config_problems(block, _decode(request.config, ty))
        return pb.ValidateProviderConfig.Response(diagnostics=[_problem(p) for p in problems])

    @_rpc
    def ValidateResourceConfig(self, request: Any) -> Any:
        block, ty = self._type("resource", request.type_name)
        allowed = request.client_capabilities.write_only_attributes_allowed
        config = _decode(request.config, ty)
        problems = config_problems(block, config, write_only_allowed=allowed)
        diagnostics = [_problem(p) for p in problems]
        if request.type_name == "azapi_resource" and isinstance(config, dict):
            # azapi checks the body against its embedded types in ValidateConfig (azapi.py).
            diagnostics += [error(f.summary, f.detail) for f in validation_problems(config)]
        return pb.ValidateResourceConfig.Response(diagnostics=diagnostics)

    @_rpc
    def ValidateDataResourceConfig(self, request: Any) -> Any:
        block, ty = self._type("data", request.type_name)
        problems = config_problems(block, _decode(request.config, ty))
        return pb.ValidateDataResourceConfig.Response(diagnostics=[_problem(p) for p in problems])

    @_rpc
    def ConfigureProvider(self, request: Any) -> Any:
        _, ty = self._type("provider", "")
        fixture = self._base_fixture.configured(_decode(request.config, ty))
        peer = getattr(self._caller, "peer", "")
        with self._configured_lock:
            self._configured[peer] = fixture
            self._configured.move_to_end(peer)
            while len(self._configured) > _MAX_CONFIGURED:
                self._configured.popitem(last=False)
        return pb.ConfigureProvider.Response()

    # --- managed resources --------------------------------------------------------------------

    @_rpc
    def UpgradeResourceState(self, request: Any) -> Any:
        block, ty = self._type("resource", request.type_name)
        if not request.raw_state.json:
            detail = "Only JSON state can be upgraded; this state is in the pre-0.12 flatmap format."
            return pb.UpgradeResourceState.Response(diagnostics=[error("Unsupported state format", detail)])
        # The raw JSON may come from an older schema version: decoding drops attributes the
        # current schema lacks and nulls the ones it adds.
        state = null_write_only(block, from_json(request.raw_state.json, ty))
        return pb.UpgradeResourceState.Response(upgraded_state=_encode(state, ty))

    @_rpc
    def ReadResource(self, request: Any) -> Any:
        if not cloud_apply.in_cloud(request.type_name):
            return pb.ReadResource.Response(new_state=request.current_state, private=request.private)
        block, ty = self._type("resource", request.type_name)
        state = _decode(request.current_state, ty)
        if state is None:
            return pb.ReadResource.Response(new_state=request.current_state, private=request.private)
        # What the simulated cloud holds now: gone (deleted, or a cloud reset) -> null state.
        with self._cloud() as cloud:
            found = cloud_apply.read(request.type_name, state, cloud)
        if found is state:
            return pb.ReadResource.Response(new_state=request.current_state, private=request.private)
        return pb.ReadResource.Response(new_state=_encode(null_write_only(block, found), ty), private=request.private)

    def _cloud(self):
        return Cloud.session(cloud_path(self._environ), self.fixture.clock(), self.fixture)

    @_rpc
    def PlanResourceChange(self, request: Any) -> Any:
        block, ty = self._type("resource", request.type_name)
        prior = _decode(request.prior_state, ty)
        proposed = _decode(request.proposed_new_state, ty)
        response = pb.PlanResourceChange.Response(planned_private=request.prior_private)
        if proposed is None:  # destroy
            response.planned_state.CopyFrom(_encode(None, ty))
            return response
        planned = adjust_plan(request.type_name, prior, mark_unknown(block, proposed, prior))
        planned = null_write_only(block, planned)
        response.planned_state.CopyFrom(_encode(planned, ty))
        response.requires_replace.extend(attribute_path(p) for p in requires_replace(request.type_name, prior, planned))
        return response

    @_rpc
    def ApplyResourceChange(self, request: Any) -> Any:
        block, ty = self._type("resource", request.type_name)
        planned = _decode(request.planned_state, ty)
        if not cloud_apply.in_cloud(request.type_name):
            serial = 0
            if planned is not None and generic_type(request.type_name) and _decode(request.prior_state, ty) is None:
                with self._cloud() as cloud:  # a create: the n-th of its type and configuration
                    serial = cloud.serial(config_key(request.type_name, planned))
            new = None if planned is None else complete(request.type_name, block, ty, planned, self.fixture, serial=serial)
            return pb.ApplyResourceChange.Response(new_state=_encode(null_write_only(block, new), ty), private=request.planned_private)
        prior = _decode(request.prior_state, ty)
        diagnostics = []
        with self._cloud() as cloud:
            # Computed values come from the cloud's clock, which tests and simulated waits move.
            fixture = replace(self.fixture, now=rfc3339(cloud.now()))
            new = None if planned is None else complete(request.type_name, block, ty, planned, fixture)
            try:
                generated = {k for k, v in planned.items() if v is UNKNOWN} if isinstance(planned, dict) else set()
                secret = {n for n, a in block.get("attributes", {}).items() if a.get("sensitive") or a.get("write_only")}
                applied = cloud_apply.apply(request.type_name, prior, new, cloud, generated, secret)
            except Failure as failure:
                diagnostics.append(error(failure.summary, failure.detail))
                applied = prior  # nothing changed (a failed create leaves no state)
            else:
                if isinstance(planned, dict) and isinstance(applied, dict) and "output" in planned and planned["output"] is not UNKNOWN:
                    applied = {**applied, "output": planned["output"]}  # a known planned value must survive
        return pb.ApplyResourceChange.Response(
            new_state=_encode(null_write_only(block, applied), ty), private=request.planned_private, diagnostics=diagnostics
        )

    @_rpc
    def ImportResourceState(self, request: Any) -> Any:
        detail = f"The offline provider has no Azure to import {request.id!r} from; create the resource instead."
        return pb.ImportResourceState.Response(
            diagnostics=[error(f"Import is not supported for {request.type_name}", detail)]
        )

    @_rpc
    def MoveResourceState(self, request: Any) -> Any:
        detail = (
            f"Moving {request.source_type_name} to {request.target_type_name} across types is not supported offline."
        )
        return pb.MoveResourceState.Response(diagnostics=[error("Move is not supported", detail)])

    # --- data sources, functions, lifecycle ---------------------------------------------------

    @_rpc
    def ReadDataSource(self, request: Any) -> Any:
        block, ty = self._type("data", request.type_name)
        # Computed attributes arrive null; mark them unknown and fill them as apply would.
        config = mark_unknown(block, _decode(request.config, ty), None)
        state = complete(request.type_name, block, ty, config, self.fixture, data=True)
        return pb.ReadDataSource.Response(state=_encode(state, ty))

    @_rpc
    def GetFunctions(self, request: Any) -> Any:
        # Terraform asks when it holds a cached schema; GetProviderSchema carries them too.
        functions = provider_functions(self.schema.provider)
        return pb.GetFunctions.Response(functions={name: f.proto() for name, f in functions.items()})

    @_rpc
    def CallFunction(self, request: Any) -> Any:
        return call_function(provider_functions(self.schema.provider), request)

    @_rpc
    def StopProvider(self, request: Any) -> Any:
        self._on_stop()
        return pb.StopProvider.Response()


def _decode(dv: Any, ty: CtyType) -> Any:
    if dv.msgpack:
        return from_msgpack(dv.msgpack, ty)
    if dv.json:
        return from_json(dv.json, ty)
    return None


def _encode(value: Any, ty: CtyType) -> Any:
    return pb.DynamicValue(msgpack=to_msgpack(value, ty))
