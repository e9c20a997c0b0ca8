"""shoumen_gui."""
