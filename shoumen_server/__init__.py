"""shoumen_server."""
