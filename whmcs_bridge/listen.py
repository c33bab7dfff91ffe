"""Bind the server's socket before anything else starts, and say plainly why it could not be.

`serve` binds first, then touches the database, the demo token and the sandbox's data: a second
start on a taken port fails in one line and leaves the running server as it was. The bound
socket is handed to uvicorn, and its real address (`--port 0` picks one) goes in the banner.
"""

from __future__ import annotations

import errno
import socket


class ListenError(OSError):
    """The address cannot be listened on; the message says what to change."""


def listen(host: str, port: int) -> tuple[socket.socket, str]:
    """A socket bound to `host:port` and the URL it serves, like `http://127.0.0.1:8000`."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ListenError(
            f"cannot listen on {host!r}: not an address of this machine ({exc}); fix HOST or --host"
        ) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ListenError(listen_problem(exc, host, port, "--port or PORT")) from None
    sock.set_inheritable(True)  # several workers serve it (as uvicorn's own bind does)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    return sock, f"http://{shown}:{bound_port}"


def listen_problem(error: OSError, host: str, port: int, option: str) -> str:
    """One line for a failed bind."""
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (another whmcs-bridge?): stop what "
            f"listens there, or choose another port with {option}"
        )
    if error.errno == errno.EACCES:
        return f"no permission to listen on port {port} of {host}: choose a port above 1023"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine: fix HOST or --host"
    return f"cannot listen on {host}:{port} ({error.strerror or error}): fix HOST/--host or PORT"
