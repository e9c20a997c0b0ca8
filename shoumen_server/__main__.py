"""`python -m shoumen_server` = the `shoumen-server` console script."""

from __future__ import annotations

from shoumen_server.cli import main

raise SystemExit(main())
