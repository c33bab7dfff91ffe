"""An in-process emulator of WHMCS's ``includes/api.php`` (8.13.x behaviour).

It reproduces real response shapes, validation and error strings, and can inject
failures. It imports nothing from the rest of the project, so its quirks and the
client's normaliser cannot hide each other's bugs.
"""

from .app import create_app
from .config import DEFAULT_IDENTIFIER, DEFAULT_SECRET, SandboxConfig
from .faults import Fault, FaultKind
from .persist import StateFile, StateFileError
from .runner import RunningSandbox, serve_forever, start_sandbox
from .state import SandboxState, SentEmail

__all__ = [
    "DEFAULT_IDENTIFIER",
    "DEFAULT_SECRET",
    "Fault",
    "FaultKind",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxState",
    "SentEmail",
    "StateFile",
    "StateFileError",
    "create_app",
    "serve_forever",
    "start_sandbox",
]
