"""shoumen_core."""
