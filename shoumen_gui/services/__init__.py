"""Qt-free services of the staff app: HTTP client, local cache, sync, checks, credentials.

Nothing here imports Qt; workers call these, and results reach the GUI through tasks.py.
"""
