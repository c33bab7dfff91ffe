"""The WHMCS side: an async client for ``includes/api.php``, its errors and typed records.

Nothing here imports ``graph`` or ``models``; ``sync/`` is the only bridge to them.
"""

from integrations.whmcs.client import (
    CallObserver,
    CallRecord,
    WhmcsClient,
    api_endpoint,
)
from integrations.whmcs.errors import (
    FailureKind,
    WhmcsApiError,
    WhmcsAuthenticationError,
    WhmcsAuthError,
    WhmcsCommandNotFoundError,
    WhmcsConnectionError,
    WhmcsDuplicateEmailError,
    WhmcsError,
    WhmcsInvalidIpError,
    WhmcsNotFoundError,
    WhmcsPermissionError,
    WhmcsProtocolError,
    WhmcsServerError,
    WhmcsTimeoutError,
    WhmcsUnavailableError,
    classify_message,
    hint_for,
)
from integrations.whmcs.normalise import WhmcsShapeError
from integrations.whmcs.records import (
    CLIENT_FIELDS,
    WhmcsClientPage,
    WhmcsClientRecord,
    WhmcsDetails,
)
from integrations.whmcs.redact import REDACTED, redact, redact_text
from integrations.whmcs.resources import ClientsResource

__all__ = [
    "CLIENT_FIELDS",
    "REDACTED",
    "CallObserver",
    "CallRecord",
    "ClientsResource",
    "FailureKind",
    "WhmcsApiError",
    "WhmcsAuthError",
    "WhmcsAuthenticationError",
    "WhmcsClient",
    "WhmcsClientPage",
    "WhmcsClientRecord",
    "WhmcsCommandNotFoundError",
    "WhmcsConnectionError",
    "WhmcsDetails",
    "WhmcsDuplicateEmailError",
    "WhmcsError",
    "WhmcsInvalidIpError",
    "WhmcsNotFoundError",
    "WhmcsPermissionError",
    "WhmcsProtocolError",
    "WhmcsServerError",
    "WhmcsShapeError",
    "WhmcsTimeoutError",
    "WhmcsUnavailableError",
    "api_endpoint",
    "classify_message",
    "hint_for",
    "redact",
    "redact_text",
]
