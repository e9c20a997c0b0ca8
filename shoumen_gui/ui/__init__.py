"""Windows and widgets of the staff app; they call services only through tasks.py."""
