"""The deployment files are checked, not only written: the systemd unit by systemd-analyze
(verify, and its security exposure), the production .env example by the settings loader."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.ops.support import ROOT, require_tool
from whmcs_bridge.settings import Settings

UNIT = ROOT / "deploy" / "whmcs-bridge.service"
PRODUCTION_ENV = ROOT / "deploy" / "whmcs-bridge.env"
INSTALLED = "/opt/whmcs-bridge/venv/bin/whmcs-bridge"


def _unit_here(tmp_path: Path) -> Path:
    """The unit with its ExecStart pointing at this checkout's whmcs-bridge (verify checks that
    the program exists)."""
    text = UNIT.read_text()
    assert INSTALLED in text
    unit = tmp_path / "whmcs-bridge.service"
    unit.write_text(text.replace(INSTALLED, str(Path(sys.executable).parent / "whmcs-bridge")))
    return unit


def test_the_systemd_unit_verifies_clean(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    unit = _unit_here(tmp_path)

    verified = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    # Unknown or misspelt keys only warn (exit 0): any output at all fails the test.
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout + verified.stderr == ""

    broken = tmp_path / "broken" / "whmcs-bridge.service"
    broken.parent.mkdir()
    broken.write_text(unit.read_text().replace("KillMode=", "KilMode="))
    warned = subprocess.run([analyze, "verify", str(broken)], capture_output=True, text=True)
    assert "Unknown key 'KilMode'" in warned.stderr  # so the check above could fail


def test_the_systemd_unit_is_hardened(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    unit = _unit_here(tmp_path)

    report = subprocess.run(
        [analyze, "security", "--offline=true", "--threshold=20", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", report.stdout)
    assert level is not None, report.stdout + report.stderr
    assert report.returncode == 0, f"exposure {level[1]} is over 2.0 (OK):\n{report.stdout}"


def test_the_unit_gives_a_stop_time_longer_than_the_server_takes() -> None:
    unit = UNIT.read_text()
    stop = re.search(r"^TimeoutStopSec=(\d+)$", unit, re.MULTILINE)
    assert stop is not None
    settings = Settings.from_env({}, env_file=PRODUCTION_ENV)
    assert int(stop[1]) > settings.shutdown_grace_s  # systemd must not SIGKILL a clean drain
    assert re.search(r"^ExecStart=\S+ serve$", unit, re.MULTILINE)
    assert re.search(r"^ExecStartPre=\S+ migrate$", unit, re.MULTILINE)
    assert "KillSignal=SIGTERM" in unit


def test_the_production_env_example_loads_and_keeps_to_the_checklist() -> None:
    settings = Settings.from_env({}, env_file=PRODUCTION_ENV)

    assert settings.database_url.startswith("postgres://")
    assert str(settings.whmcs.api_url).startswith("https://")
    assert not settings.whmcs.use_sandbox
    assert (settings.graphiql, settings.introspection) == (False, False)
    assert (settings.host, settings.root_path) == ("127.0.0.1", "/whmcs-bridge")
    assert settings.forwarded_allow_ips == ("127.0.0.1",)
    assert (settings.log_format, settings.log_level) == ("json", "INFO")
    assert settings.redis_url is not None
    assert settings.workers == 2
    assert settings.metrics_enabled
    # Every variable it sets is one the settings know (a typo would be silently ignored).
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    used = set(re.findall(r"^#?\s*([A-Z_]+)=", PRODUCTION_ENV.read_text(), re.MULTILINE))
    assert used <= documented, used - documented
