"""The bundle's entry point (build.spec): the same main() as the `shoumen` command; the embedded
backend process (`shoumen --embedded-backend DB`) without the GUI's modules (see __main__)."""

from __future__ import annotations

import sys

from shoumen_gui.__main__ import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
