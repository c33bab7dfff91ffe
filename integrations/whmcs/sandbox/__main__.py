"""``python -m integrations.whmcs.sandbox --port 8081 [--control] [--data FILE]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .runner import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the WHMCS API sandbox.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--control", action="store_true", help="enable /_sandbox/control")
    parser.add_argument("--data", type=Path, help="keep the data in this JSON file")
    args = parser.parse_args()
    serve_forever(args.port, args.host, control=args.control, data_file=args.data)


if __name__ == "__main__":
    main()
