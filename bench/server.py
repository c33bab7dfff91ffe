"""`python -m bench.server --port N`: the benchmark app under uvicorn (uvloop + httptools, one
worker, no access log), configured from the environment like the product server."""

from __future__ import annotations

import argparse

import uvicorn

from bench.bare import create_bench_app
from whmcs_bridge.logs import configure_logging
from whmcs_bridge.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.secret_values())
    uvicorn.run(
        create_bench_app(settings),
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
