"""Per-entity sub-APIs of the WHMCS client (``whmcs.clients``, ...).

Resources speak to WHMCS only through :class:`Caller` (the client's ``call``), so they do not
import the client and can be tested against any object with that method.
"""

from __future__ import annotations

from integrations.whmcs.resources.base import Caller, Params, shape_error
from integrations.whmcs.resources.clients import ClientsResource

__all__ = ["Caller", "ClientsResource", "Params", "shape_error"]
