"""The visitor's self check-in behind the venue code (`/v/<token>`): a mobile web page."""

from __future__ import annotations

from shoumen_server.visitor.routes import router

__all__ = ["router"]
