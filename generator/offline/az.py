"""The Azure CLI, answered by the simulated cloud: the `az` commands avdgen itself runs
(`avdgen rollout --run`, `avdgen promote --run`), for tests and offline rehearsals.

    python -m generator.offline.az rest --method get --url https://management.azure.com/<id>?api-version=...

Put a script named `az` that runs this first on PATH and avdgen's day-2 commands drive the
cloud in $AVDGEN_OFFLINE_CLOUD, the one the offline providers apply to. Only the commands avdgen
runs are here; anything else fails the way a mistyped command fails in az (exit 2). Errors from
the services are printed as az prints an HTTP error (`ERROR: (Code) Message`, exit 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import services
from .cloud import ARM, AzureError, Cloud, cloud_path
from .fixture import Fixture

# Collections a GET lists (`.../hostPools/hp/sessionHosts`), by their last path segment.
COLLECTIONS = {
    "sessionhosts": services.SESSION_HOSTS,
    "usersessions": services.USER_SESSIONS,
    "versions": services.GALLERY_VERSIONS,
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # az's own wording for a bad command line
        print(f"ERROR: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="az", add_help=False)
    groups = parser.add_subparsers(dest="group", required=True, parser_class=_Parser)
    rest = groups.add_parser("rest", add_help=False)
    rest.add_argument("--method", "-m", default="get", choices=["get", "put", "patch", "post", "delete", "head", "options"])
    rest.add_argument("--url", "--uri", "-u", required=True)
    rest.add_argument("--body", "-b")
    rest.add_argument("--headers")
    rest.add_argument("--output", "-o", default="json", choices=["json", "jsonc", "none", "tsv", "table", "yaml"])
    rest.add_argument("--only-show-errors", action="store_true")
    sig = groups.add_parser("sig", add_help=False).add_subparsers(dest="sig_group", required=True, parser_class=_Parser)
    version = sig.add_parser("image-version", add_help=False).add_subparsers(dest="verb", required=True, parser_class=_Parser)
    show = version.add_parser("show", add_help=False)
    show.add_argument("--resource-group", "-g", required=True)
    show.add_argument("--gallery-name", "-r", required=True)
    show.add_argument("--gallery-image-definition", "-i", required=True)
    show.add_argument("--gallery-image-version", "-e", required=True)
    show.add_argument("--subscription")
    show.add_argument("--output", "-o", default="json", choices=["json", "jsonc", "none"])
    return parser


def _rest(cloud: Cloud, method: str, url: str, body: str | None) -> Any:
    parts = urlsplit(url if "://" in url else ARM + url)
    if f"{parts.scheme}://{parts.netloc}" != ARM:
        raise AzureError(400, "InvalidUrl", f"{url}: only {ARM} is simulated")
    query = parse_qs(parts.query)
    api_version = (query.get("api-version") or [None])[0]
    if not api_version:
        raise AzureError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
    path = parts.path.rstrip("/")
    payload = json.loads(body) if body else None
    collection = COLLECTIONS.get(path.rsplit("/", 1)[-1].lower())
    if method == "GET" and collection:
        parent = path.rsplit("/", 1)[0]
        if cloud.find(parent) is None:
            raise services.not_found(parent)
        # Direct children only: a host pool's sessionHosts, not their userSessions.
        depth = path.count("/") + 1
        return {"value": [r.body for r in cloud.children(parent, collection) if r.id.count("/") == depth]}
    return services.request(cloud, method, path, payload, api_version)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    fixture = Fixture.from_env()
    try:
        with Cloud.session(cloud_path(), fixture.clock()) as cloud:
            if args.group == "rest":
                result = _rest(cloud, args.method.upper(), args.url, args.body)
            else:
                subscription = args.subscription or fixture.subscription_id
                version_id = (
                    f"/subscriptions/{subscription}/resourceGroups/{args.resource_group}/providers/Microsoft.Compute/galleries/"
                    f"{args.gallery_name}/images/{args.gallery_image_definition}/versions/{args.gallery_image_version}"
                )
                result = services.request(cloud, "GET", version_id, None, "2024-03-03")
    except AzureError as error:
        print(f"ERROR: ({error.code}) {error.message}\nCode: {error.code}\nMessage: {error.message}", file=sys.stderr)
        return 1
    except json.JSONDecodeError as error:
        print(f"ERROR: --body is not valid JSON: {error}", file=sys.stderr)
        return 1
    if args.output != "none" and result not in (None, {}):
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
