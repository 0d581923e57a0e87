"""The `avdgen` entry point (and `python -m generator`).

Ctrl-C and SIGTERM raise errors.Interrupted from the first line on: raised where the process is,
it unwinds through every `with`/`finally` (plan copies, temporary directories, provider servers
are removed on the way) and ends as exit 130 or 143 with one line, never a traceback, even while
the CLI is still being imported. Only this module installs the handlers.
"""

from __future__ import annotations

import signal
import sys

from .errors import Interrupted, interrupted_exit


def _raise(signum, _frame):
    raise Interrupted(signum)


def main() -> None:
    # A SIGINT the parent ignores (a background job of a script) stays ignored.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _raise)
    signal.signal(signal.SIGTERM, _raise)
    try:
        from .cli import main as cli_main

        cli_main()
    except KeyboardInterrupt as error:
        code, message = interrupted_exit(error)
        sys.stderr.write(f"\n{message}\n")
        raise SystemExit(code) from None


if __name__ == "__main__":
    main()
