"""`python -m shoumen_gui`: the same as the `shoumen` command.

The embedded backend process (`--embedded-backend DB`, spawned by the app itself) is routed
here before shoumen_gui.app is imported: it needs none of the GUI's modules (settings, paths,
TLS, ~0.1 s of its start), and the GUI waits for it on a first start (issue 18 §3).
"""

from __future__ import annotations

import sys

from shoumen_gui.embedded import SERVE_FLAG


def run(argv: list[str]) -> int:
    if SERVE_FLAG in argv:
        from shoumen_gui.embedded import serve_main

        return serve_main(argv)
    from shoumen_gui.app import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
