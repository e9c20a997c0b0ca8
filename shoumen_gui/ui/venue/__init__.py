"""The venue owner's screens: registration, venue code and poster, staff, checkpoints, policy."""
