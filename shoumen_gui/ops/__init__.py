"""Operations: each service call declared once with its lane (see core.py).

- ``session``: start-up, login, the stored token (KEYRING lane, in order), logout
- ``station``: anomaly registrations, statistics, a guard's decision (CACHE / NETWORK)
- ``admin``: the admin client's requests (NETWORK)
- ``kiosk``: the kiosk unlock and PIN
- ``local``: files, scanning libraries, serial ports, gate secrets, 测试闸机
"""

from __future__ import annotations

from shoumen_gui.ops.core import Lane, Op, operation

__all__ = ["Lane", "Op", "operation"]
