"""The bundle's entry point (build.spec): the same main() as the `shoumen` command."""

from __future__ import annotations

import sys

from shoumen_gui.app import main

if __name__ == "__main__":
    sys.exit(main())
