"""azapi 2.5's own semantics, against the simulated cloud (cloud.py, services.py).

Each function says which part of azapi it follows (Azure/terraform-provider-azapi at v2.5.0,
d0ce35a963bde84bf0a9f67751f2af061e57b4ec):

- `validation_problems`: internal/services/resource.go `schemaValidate` (called from
  azapi_resource's ValidateConfig): the body, with name, location, tags and identity merged in,
  against the embedded type, when `schema_validation_enabled` is not false. azapi does not
  refuse a read-only resource *type* there (types/resource_type.go `IsReadOnly` is never called):
  the service does, at apply.
- `create_or_update`: azapi_resource.go `CreateUpdate`: on create a GET first, and "Resource
  already exists" if it answers; then PUT; then GET and `output`. An update that changes only
  timeouts or retry makes no request (`skip.CanSkipExternalRequest`).
- `delete`: azapi_resource.go `Delete`: DELETE with the state's retry and the delete timeout;
  a 404 is success.
- `update_resource`: azapi_update_resource.go `CreateUpdate`: GET (any error, a 404 too, is
  "Failed to retrieve resource"), merge the body into what exists, keep what GetWriteOnly keeps,
  PUT ("Failed to update resource"), GET; its Delete does nothing.
- `resource_action`: azapi_resource_action_resource.go: `Action` on create and on any update
  that changes more than timeouts/retry when `when = "apply"`, on delete when `when =
  "destroy"`; the request is `method` on `resource_id` (+ `/action`), "Failed to perform action".
- `output`: services/common.go `buildOutputFromBody` with resource.go `flattenOutput` /
  `flattenOutputJMES`: response_export_values null -> the response's GetReadOnly (minus the
  volatile fields) for azapi_resource and azapi_update_resource, `{}` for actions; a list ->
  those dotted paths (`*` = everything); a map -> JMESPath queries (paths only, here).
- retries: internal/clients/client_configure_retry.go: exponential backoff (interval_seconds,
  x multiplier, at most max_interval_seconds) while the error text matches one of
  `error_message_regex`, until the operation's timeout. Offline, the waiting is simulated time:
  each retry moves the cloud's clock, so what the wait was for (a build finishing, an agent
  registering) can happen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from . import azapi_types
from .cloud import AzureError, Cloud, plain
from . import services
from .services import merge
from .wire import UNKNOWN, Dyn


@dataclass
class Failure(Exception):
    """A diagnostic azapi would return: its summary and detail."""

    summary: str
    detail: str


def _value(v: Any) -> Any:
    return v.value if isinstance(v, Dyn) else v


def _unknown_inside(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Dyn):
        return _unknown_inside(value.value)
    if isinstance(value, dict):
        return any(_unknown_inside(v) for v in value.values())
    if isinstance(value, list):
        return any(_unknown_inside(v) for v in value)
    return False


def split_type(type_value: str) -> tuple[str, str | None]:
    resource_type, _, api_version = type_value.partition("@")
    return resource_type, api_version or None


def resource_id(v: dict[str, Any]) -> str:
    from .resources import azapi_id  # resources imports nothing of this module

    return v.get("resource_id") if isinstance(v.get("resource_id"), str) else azapi_id(v["type"], v["parent_id"], v["name"])


def _id_text(rid: str, api_version: str | None) -> str:
    # parse/resource.go ResourceId.String()
    return f'Resource: (ResourceId "{rid}" / Api Version "{api_version}")'


def _go_quoted(text: str) -> str:
    """Go's %q of a string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- validation (plan time) -------------------------------------------------------------------------


def request_body(v: dict[str, Any]) -> dict[str, Any]:
    """The body azapi sends for an azapi_resource: `body` plus name, location, tags, identity
    (resource.go schemaValidate / azapi_resource.go expandBody)."""
    body = dict(_value(v.get("body")) or {})
    body["name"] = v.get("name")
    if v.get("location") is not None:
        body["location"] = v["location"]
    if v.get("tags") is not None:
        body["tags"] = v["tags"]
    identity = (v.get("identity") or [None])[0] if isinstance(v.get("identity"), list) else None
    if isinstance(identity, dict):
        ids = identity.get("identity_ids")
        body["identity"] = {"type": identity.get("type")}
        if ids is UNKNOWN:
            body["identity"]["userAssignedIdentities"] = UNKNOWN
        elif ids:
            body["identity"]["userAssignedIdentities"] = {i: None for i in ids if isinstance(i, str)} if all(isinstance(i, str) for i in ids) else UNKNOWN
    return body


def validation_problems(v: dict[str, Any]) -> list[Failure]:
    """ValidateConfig of an azapi_resource: azapi's "Invalid configuration" diagnostic, or none."""
    if v.get("schema_validation_enabled") is False or not isinstance(v.get("type"), str):
        return []
    resource_type, api_version = split_type(v["type"])
    body_type = azapi_types.body_type(v["type"])
    if body_type is None or _value(v.get("body")) is UNKNOWN:
        return []
    errors = [
        e for e in azapi_types.validate(body_type, request_body(v), unknown=UNKNOWN)
        if "`location` is required" not in e and "`tags` is required" not in e
    ]
    if not errors:
        return []
    detail = 'the argument "body" is invalid:\n' + "".join(f"{e}\n" for e in errors)
    return [Failure("Invalid configuration", _schema_validation_error(detail))]


def _schema_validation_error(detail: str) -> str:
    return (
        f"embedded schema validation failed: {detail} You can try to update `azapi` provider to the latest version or disable "
        "the validation using the feature flag `schema_validation_enabled = false` within the resource block"
    )


# --- output -----------------------------------------------------------------------------------------


def output(v: dict[str, Any], response: Any, default: bool) -> Any:
    """The `output` attribute from a response body (buildOutputFromBody)."""
    exports = plain(_value(v.get("response_export_values")))
    if exports is None:
        if not default or response is None:
            return {}
        body_type = azapi_types.body_type(v.get("type") or "")
        # azapi_resource.go (Create/Read, v2.5.0 lines 780-785 and 829-834): the type's
        # GetReadOnly of the response, minus volatileFieldList(). azapi embeds (nearly) every
        # Azure type; for one this simulator does not model, what the service added to the
        # request (id, name, type, principal IDs: services.with_read_only) stands in for it.
        found = azapi_types.read_only(body_type, response) if body_type else service_added(response, plain(request_body(v)))
        return {} if found is None else azapi_types.without_volatile(found)
    if isinstance(exports, list):
        if "*" in exports:
            return response
        out: Any = {}
        for path in exports:
            part = _extract(response, path.split("."))
            if part is not None:
                out = merge(out, part)
        return out
    if isinstance(exports, dict):
        return _jmes_exports(response, exports)
    raise Failure("Failed to build output", "unsupported type for response_export_values, must be a list or map")


def _extract(value: Any, path: list[str]) -> Any:
    # utils/json.go ExtractObject: the value at a dotted path, inside the objects that hold it.
    if not path:
        return value
    if not isinstance(value, dict) or value.get(path[0]) is None:
        return None
    inner = _extract(value[path[0]], path[1:])
    return None if inner is None else {path[0]: inner}


def _jmes_exports(response: Any, exports: dict[str, str]) -> dict[str, Any]:
    # resource.go flattenOutputJMES with utils/json.go ExtractObjectJMES: each key gets
    # jmespath.Search(query, response), null when the query finds nothing (the key stays: Go's
    # MergeObject keeps a nil value); a query that does not parse leaves its key out.
    import jmespath  # go-jmespath, which azapi uses, implements the same specification
    from jmespath.exceptions import JMESPathError

    out: dict[str, Any] = {}
    for key, query in exports.items():
        try:
            out[key] = jmespath.search(query, response)
        except (JMESPathError, TypeError, ValueError):
            continue
    return out


def service_added(response: Any, sent: Any) -> Any:
    """The parts of a response the request did not send (the service's read-only fields)."""
    if not isinstance(response, dict):
        return None if response == sent else response
    sent = sent if isinstance(sent, dict) else {}
    out = {}
    for key, value in response.items():
        if key not in sent:
            out[key] = value
        elif isinstance(value, dict):
            inner = service_added(value, sent[key])
            if inner:
                out[key] = inner
    return out


# --- durations, retries -------------------------------------------------------------------------------

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def duration(text: Any, default: timedelta) -> timedelta:
    """A Go duration string such as `30m` or `1h30m` (the timeouts block's values)."""
    if not isinstance(text, str) or not text:
        return default
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return timedelta(seconds=sum(float(n) * units[u] for n, u in _DURATION.findall(text)))


def timeout(v: dict[str, Any], which: str, default_minutes: int = 30) -> timedelta:
    timeouts = v.get("timeouts") if isinstance(v.get("timeouts"), dict) else {}
    return duration(timeouts.get(which), timedelta(minutes=default_minutes))


def _retrying(cloud: Cloud, retry: Any, limit: timedelta, attempt):
    """Run `attempt()`; while it fails with text matching `retry.error_message_regex`, let
    simulated time pass (backoff) and try again, until `limit` has passed."""
    retry = plain(retry) if isinstance(retry, dict) else None
    patterns = [re.compile(p) for p in (retry or {}).get("error_message_regex") or []]
    interval = float(_or((retry or {}).get("interval_seconds"), 10))
    ceiling = float(_or((retry or {}).get("max_interval_seconds"), 180))
    multiplier = float(_or((retry or {}).get("multiplier"), 1.5))
    waited = 0.0
    while True:
        try:
            return attempt()
        except _Attempt as failed:
            if not any(p.search(failed.text) for p in patterns):
                raise
            if waited + interval > limit.total_seconds() + 1:
                # backoff gives up with the context's error, not the last response (cenkalti/
                # backoff v4 RetryNotifyWithTimer returns ctx.Err() once the deadline passes).
                failed.text = "context deadline exceeded"
                raise
            cloud.advance(interval)
            waited += interval
            interval = min(interval * multiplier, ceiling)


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


class _Attempt(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def _request(cloud: Cloud, method: str, rid: str, body: Any, api_version: str | None, resource_type: str | None = None) -> Any:
    try:
        return services.request(cloud, method, rid, body, api_version, resource_type)
    except AzureError as error:
        raise _Attempt(error.response(method, rid, api_version)) from None


# --- azapi_resource --------------------------------------------------------------------------------

_SKIPPABLE = {"timeouts", "retry", "output", "id"}  # model fields tagged skip_on:"update"


def create_or_update(cloud: Cloud, prior: dict[str, Any] | None, v: dict[str, Any]) -> dict[str, Any]:
    """Apply an azapi_resource; returns the new `output` (a plain value)."""
    resource_type, api_version = split_type(v["type"])
    rid = resource_id(v)
    if prior is not None and all(plain(prior.get(k)) == plain(v.get(k)) for k in v if k not in _SKIPPABLE):
        return plain(_value(prior.get("output"))) or {}
    if prior is None:
        try:
            services.request(cloud, "GET", rid, None, api_version, resource_type)
        except AzureError as error:
            if error.status != 404:
                raise Failure("Failed to retrieve resource", f"checking for presence of existing {_id_text(rid, api_version)}: {error.response('GET', rid, api_version)}") from None
        else:
            raise Failure(
                "Resource already exists",
                f'A resource with the ID "{rid}" already exists - to be managed via Terraform this resource needs to be imported '
                'into the State. Please see the resource documentation for "azapi_resource" for more information.',
            )
    body = plain(request_body(v))
    if "identity" in body and isinstance(body["identity"].get("userAssignedIdentities"), dict):
        body["identity"]["userAssignedIdentities"] = {k: {} for k in body["identity"]["userAssignedIdentities"]}
    which = "create" if prior is None else "update"
    try:
        _retrying(cloud, v.get("retry"), timeout(v, which), lambda: _request(cloud, "PUT", rid, body, api_version, resource_type))
    except _Attempt as failed:
        raise Failure("Failed to create/update resource", f"creating/updating {_id_text(rid, api_version)}: {failed.text}") from None
    response = services.request(cloud, "GET", rid, None, api_version, resource_type)
    return output(v, response, default=True)


def delete(cloud: Cloud, prior: dict[str, Any]) -> None:
    resource_type, api_version = split_type(prior["type"])
    rid = prior.get("id") or resource_id(prior)
    try:
        _retrying(cloud, prior.get("retry"), timeout(prior, "delete"), lambda: _request(cloud, "DELETE", rid, None, api_version, resource_type))
    except _Attempt as failed:
        if "RESPONSE 404" in failed.text:
            return
        raise Failure("Failed to delete resource", f"deleting {_id_text(rid, api_version)}: {failed.text}") from None


def read(cloud: Cloud, state: dict[str, Any]) -> dict[str, Any] | None:
    """Read (refresh) of an azapi_resource: None when the resource is gone."""
    _, api_version = split_type(state["type"])
    record = cloud.find(state.get("id") or resource_id(state))
    if record is None:
        return None
    return output(state, dict(record.body), default=True)


# --- azapi_update_resource ---------------------------------------------------------------------------


def update_resource(cloud: Cloud, prior: dict[str, Any] | None, v: dict[str, Any]) -> dict[str, Any]:
    resource_type, api_version = split_type(v["type"])
    rid = resource_id(v)
    if prior is not None and all(plain(prior.get(k)) == plain(v.get(k)) for k in v if k not in _SKIPPABLE):
        return plain(_value(prior.get("output"))) or {}  # azapi_update_resource.go Update: skip.CanSkipExternalRequest
    which = "create" if prior is None else "update"
    try:
        existing = _retrying(cloud, v.get("retry"), timeout(v, which), lambda: _request(cloud, "GET", rid, None, api_version, resource_type))
    except _Attempt as failed:
        raise Failure("Failed to retrieve resource", f"checking for presence of existing {_id_text(rid, api_version)}: {failed.text}") from None
    body = merge(existing, plain(_value(v.get("body"))) or {})
    body_type = azapi_types.body_type(v["type"])
    if body_type is not None:
        body = azapi_types.write_only(body_type, body)
    try:
        _retrying(cloud, v.get("retry"), timeout(v, which), lambda: _request(cloud, "PUT", rid, body, api_version, resource_type))
    except _Attempt as failed:
        raise Failure("Failed to update resource", f"updating {_go_quoted(_id_text(rid, api_version))}: {failed.text}") from None
    return output(v, services.request(cloud, "GET", rid, None, api_version, resource_type), default=True)


# --- azapi_resource_action -----------------------------------------------------------------------------


def action_due(prior: dict[str, Any] | None, v: dict[str, Any] | None) -> bool:
    """Whether this apply of an azapi_resource_action sends its request."""
    if v is None:  # destroy
        return prior is not None and prior.get("when") == "destroy"
    if (v.get("when") or "apply") != "apply":
        return False
    return prior is None or any(plain(prior.get(k)) != plain(v.get(k)) for k in v if k not in _SKIPPABLE)


def resource_action(cloud: Cloud, v: dict[str, Any], updating: bool = False) -> dict[str, Any]:
    """Send the action; returns the new `output`. An update runs under the update timeout, and
    Action nests the create timeout inside it (azapi_resource_action_resource.go Update, Action):
    the shorter one wins."""
    resource_type, api_version = split_type(v["type"])
    rid = v["resource_id"]
    target = f"{rid}/{v['action']}" if v.get("action") else rid
    method = v.get("method") or "POST"
    request_method = "POST" if v.get("action") and method == "POST" else method
    body = None if method == "GET" else plain(_value(v.get("body")))
    try:
        limit = min(timeout(v, "create"), timeout(v, "update")) if updating else timeout(v, "create")
        response = _retrying(cloud, v.get("retry"), limit, lambda: _request(cloud, request_method, target, body, api_version, resource_type if not v.get("action") else None))
        if request_method == "POST" and v.get("action"):
            response = _poll(cloud, rid, v["action"], limit, api_version)
    except _Attempt as failed:
        raise Failure("Failed to perform action", f"performing action {v.get('action') or ''} of {_go_quoted(_id_text(rid, api_version))}: {failed.text}") from None
    return output(v, response, default=False)


POLL_SECONDS = 10  # resource_client.go Action: PollUntilDone(Frequency: 10 * time.Second)


def _poll(cloud: Cloud, rid: str, action: str, limit: timedelta, api_version: str | None) -> Any:
    """A long-running action: azapi polls it until it ends, within the create timeout
    (resource_client.go Action, runtime.NewPoller + PollUntilDone). Simulated time passes while
    it polls; an operation that fails is the action's error, one that outlives the timeout is
    "context deadline exceeded"."""
    operation = services.operation(cloud, rid, action)
    if operation is None:
        return {}  # not long-running: the response was final
    waited = 0.0
    while (status := operation()) is None:
        if waited + POLL_SECONDS > limit.total_seconds():
            raise _Attempt("context deadline exceeded")
        cloud.advance(POLL_SECONDS)
        waited += POLL_SECONDS
    if status != "Succeeded":
        raise _Attempt(f"polling after {action}: {status}")
    return {}
