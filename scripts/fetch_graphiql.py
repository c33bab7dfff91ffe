"""Fetch GraphiQL's 7 files from the npm registry into whmcs_bridge/static/graphiql/.

strawberry's GraphiQL page loads them from a CDN; this server serves its own copies instead (see
GRAPHIQL_ASSETS in graph/view.py). Each file is taken from the npm tarball of the exact version the
page names (`npm pack`) and must match the page's SRI hash (sha384) before it is written.

Idempotent: when every file is present and matches, nothing is fetched. Without npm (or with the
registry unreachable) it warns and exits 0, so a Python-only set-up still works (GraphiQL then
shows a page saying how to fetch the files); `--strict` makes that an error. A hash mismatch is
always an error.

    .venv/bin/python scripts/fetch_graphiql.py [--strict] [--dest DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.view import GRAPHIQL_ASSETS  # noqa: E402

DEST = ROOT / "whmcs_bridge" / "static" / "graphiql"
_CDN = re.compile(
    r"^https://unpkg\.com/(?P<package>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)/(?P<path>.+)$"
)


@dataclass(frozen=True)
class Asset:
    url: str
    name: str  # file name under DEST
    package: str
    version: str
    path: str  # inside the package
    integrity: str  # "sha384-<base64>", from strawberry's page

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"


def strawberry_page() -> str:
    from strawberry.http.ides import get_graphql_ide_html

    return get_graphql_ide_html("graphiql")


def assets(page: str) -> list[Asset]:
    """The files GRAPHIQL_ASSETS names, with the integrity strawberry's page gives each."""
    found = []
    for url, name in GRAPHIQL_ASSETS.items():
        tag = re.search(
            r'(?:src|href)="' + re.escape(url) + r'"\s+integrity="(sha384-[A-Za-z0-9+/=]+)"', page
        )
        if tag is None:
            raise SystemExit(f"fetch_graphiql: strawberry's GraphiQL page no longer loads {url}")
        parts = _CDN.match(url)
        if parts is None:
            raise SystemExit(f"fetch_graphiql: not an unpkg package URL: {url}")
        found.append(Asset(url, name, parts["package"], parts["version"], parts["path"], tag[1]))
    return found


def say(message: str, *, error: bool = False) -> None:
    (sys.stderr if error else sys.stdout).write(f"fetch_graphiql: {message}\n")


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def is_valid(asset: Asset, dest: Path) -> bool:
    target = dest / asset.name
    return target.is_file() and sri(target.read_bytes()) == asset.integrity


def npm_pack(specs: list[str], into: Path) -> dict[str, Path]:
    """`npm pack` each spec into `into`; spec -> tarball."""
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm is not installed")
    done = subprocess.run(
        [npm, "pack", "--json", "--silent", "--pack-destination", str(into), *specs],
        cwd=into,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm pack failed: {done.stderr.strip()[-2000:]}")
    packed = {
        f"{entry['name']}@{entry['version']}": entry["filename"]
        for entry in json.loads(done.stdout)
    }
    return {spec: into / packed[spec] for spec in specs}


def extract(tarball: Path, path: str) -> bytes:
    with tarfile.open(tarball, "r:gz") as archive:
        member = archive.extractfile(f"package/{path}")
        if member is None:
            raise RuntimeError(f"{tarball.name} has no package/{path}")
        return member.read()


def fetch(dest: Path, *, strict: bool) -> int:
    wanted = assets(strawberry_page())
    todo = [asset for asset in wanted if not is_valid(asset, dest)]
    if not todo:
        say(f"all {len(wanted)} GraphiQL files present and valid in {dest}")
        return 0
    specs = sorted({asset.spec for asset in todo})
    with tempfile.TemporaryDirectory(prefix="graphiql-") as tmp:
        try:
            tarballs = npm_pack(specs, Path(tmp))
        except (OSError, RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
            say(
                f"could not fetch GraphiQL's files ({exc}). The server runs, but GraphiQL at "
                "/graphql will say its files are missing until this script succeeds.",
                error=True,
            )
            return 1 if strict else 0
        contents = {}
        for asset in todo:
            data = extract(tarballs[asset.spec], asset.path)
            if sri(data) != asset.integrity:
                say(
                    f"{asset.spec}/{asset.path} does not match strawberry's SRI hash "
                    f"({sri(data)} != {asset.integrity}); nothing written",
                    error=True,
                )
                return 1
            contents[asset.name] = data
    dest.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        partial = dest / f".{name}.part"
        partial.write_bytes(data)
        partial.replace(dest / name)
    say(f"wrote {', '.join(sorted(contents))} to {dest} (SRI hashes checked)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEST, help=f"default: {DEST}")
    parser.add_argument(
        "--strict", action="store_true", help="fail (exit 1) when npm cannot fetch the files"
    )
    args = parser.parse_args(argv)
    return fetch(args.dest, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
