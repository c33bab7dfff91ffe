"""The operations settings: read, validated with a message naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from whmcs_bridge.settings import Settings, SettingsError


def test_the_operations_variables_are_read() -> None:
    s = Settings.from_env(
        {
            "LOG_FORMAT": "JSON",
            "ACCESS_LOG": "false",
            "METRICS_ENABLED": "no",
            "WORKERS": "4",
            "ROOT_PATH": "/whmcs-bridge",
            "FORWARDED_ALLOW_IPS": "127.0.0.1, 10.0.0.0/8,::1",
            "PROMETHEUS_MULTIPROC_DIR": "/run/whmcs-bridge/metrics",
            "WHMCS_API_TIMEOUT": "12",
        },
        env_file=None,
    )
    assert (s.log_format, s.access_log, s.metrics_enabled, s.workers) == ("json", False, False, 4)
    assert s.root_path == "/whmcs-bridge"
    assert s.forwarded_allow_ips == ("127.0.0.1", "10.0.0.0/8", "::1")
    assert s.metrics_dir == Path("/run/whmcs-bridge/metrics")
    assert s.shutdown_grace_s == 22.0

    d = Settings.from_env({}, env_file=None)
    assert (d.log_format, d.access_log, d.metrics_enabled, d.workers) == ("text", True, True, 1)
    assert (d.root_path, d.forwarded_allow_ips, d.metrics_dir) == ("", ("127.0.0.1",), None)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"WORKERS": "0"}, "WORKERS"),
        ({"WORKERS": "two"}, "WORKERS"),
        ({"ROOT_PATH": "whmcs-bridge"}, "ROOT_PATH"),
        ({"ROOT_PATH": "/whmcs-bridge/"}, "ROOT_PATH"),
        ({"ROOT_PATH": "/a b"}, "ROOT_PATH"),
        ({"ROOT_PATH": "/ümlaut"}, "ROOT_PATH"),
        ({"FORWARDED_ALLOW_IPS": "proxy.internal"}, "FORWARDED_ALLOW_IPS"),
        ({"ACCESS_LOG": "maybe"}, "ACCESS_LOG"),
    ],
)
def test_bad_operations_values_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env, env_file=None)


def test_database_and_redis_passwords_are_secrets() -> None:
    s = Settings.from_env(
        {
            "DATABASE_URL": "postgres://bridge:p%40ss-word-1@db:5432/bridge",
            "REDIS_URL": "redis://:redis-pass-2@cache:6379/0",
        },
        env_file=None,
    )
    assert {"p@ss-word-1", "redis-pass-2"} <= set(s.secret_values())
    assert Settings.from_env({}, env_file=None).secret_values() == ()
