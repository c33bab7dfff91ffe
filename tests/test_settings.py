"""Settings: every variable parsed, invalid ones named, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from whmcs_bridge.settings import DEFAULT_DATABASE_URL, Settings, SettingsError

REAL = {
    "WHMCS_API_URL": "https://billing.example.com/whmcs",
    "WHMCS_API_IDENTIFIER": "ident-AAAA1111",
    "WHMCS_API_SECRET": "secret-BBBB2222",
    "WHMCS_API_ACCESS_KEY": "key-CCCC3333",
}


def test_defaults_are_the_embedded_setup() -> None:
    settings = Settings.from_env({}, env_file=None)

    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.whmcs.use_sandbox is True
    assert settings.whmcs.enabled is True
    assert settings.whmcs.timeout_s == 30.0
    assert (settings.cache_enabled, settings.cache_ttl_s, settings.redis_url) == (True, 300, None)
    assert (settings.log_enabled, settings.log_requests, settings.log_responses) == (True,) * 3
    assert (settings.host, settings.port, settings.cors_origins) == ("127.0.0.1", 8000, ())


def test_every_variable_is_read() -> None:
    env = {
        **REAL,
        "DATABASE_URL": "postgres://u:p@db:5432/bridge",
        "WHMCS_ENABLED": "no",
        "WHMCS_API_TIMEOUT": "12.5",
        "WHMCS_MAX_CONCURRENCY": "3",
        "WHMCS_CACHE_ENABLED": "0",
        "WHMCS_CACHE_TTL": "60",
        "WHMCS_LOG_ENABLED": "off",
        "WHMCS_LOG_REQUESTS": "false",
        "WHMCS_LOG_RESPONSES": "FALSE",
        "WHMCS_SEND_WELCOME_EMAIL": "yes",
        "WHMCS_SKIP_VALIDATION": "1",
        "WHMCS_FIELD_MAPPING_FILE": "mapping.toml",
        "REDIS_URL": "redis://cache:6379/0",
        "CORS_ORIGINS": "http://localhost:4200, https://app.example.com/",
        "HOST": "0.0.0.0",
        "PORT": "9000",
        "LOG_LEVEL": "debug",
    }

    s = Settings.from_env(env, env_file=None)

    assert s.database_url == "postgres://u:p@db:5432/bridge"
    assert s.whmcs.api_url == "https://billing.example.com/whmcs"
    assert str(s.whmcs.identifier) == "ident-AAAA1111"
    assert str(s.whmcs.secret) == "secret-BBBB2222"
    assert str(s.whmcs.access_key) == "key-CCCC3333"
    assert (s.whmcs.enabled, s.whmcs.timeout_s, s.whmcs.max_concurrency) == (False, 12.5, 3)
    assert (s.whmcs.send_welcome_email, s.whmcs.skip_validation) == (True, True)
    assert (s.cache_enabled, s.cache_ttl_s, s.redis_url) == (False, 60, "redis://cache:6379/0")
    assert (s.log_enabled, s.log_requests, s.log_responses) == (False, False, False)
    assert s.field_mapping_file == Path("mapping.toml")
    assert s.cors_origins == ("http://localhost:4200", "https://app.example.com")
    assert (s.host, s.port, s.log_level) == ("0.0.0.0", 9000, "DEBUG")


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("WHMCS_CACHE_TTL=42\nPORT=8001\n# a comment\n", encoding="utf-8")

    s = Settings.from_env({"PORT": "8002"}, env_file=env_file)

    assert (s.cache_ttl_s, s.port) == (42, 8002)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"WHMCS_API_TIMEOUT": "soon"}, "WHMCS_API_TIMEOUT must be a number"),
        ({"WHMCS_API_TIMEOUT": "0"}, "WHMCS_API_TIMEOUT must be between"),
        ({"WHMCS_CACHE_TTL": "-1"}, "WHMCS_CACHE_TTL must be between"),
        ({"PORT": "70000"}, "PORT must be between"),
        ({"WHMCS_ENABLED": "maybe"}, "WHMCS_ENABLED must be true or false"),
        ({"DATABASE_URL": "oracle://x"}, "DATABASE_URL must start with"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL must start with"),
        ({"CORS_ORIGINS": "*"}, "CORS_ORIGINS must list origins"),
        ({"CORS_ORIGINS": "localhost:4200"}, "CORS_ORIGINS entries must look like"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
        ({"WHMCS_API_URL": "billing.example.com"}, "WHMCS_API_URL must be the WHMCS base URL"),
        (
            {**REAL, "WHMCS_API_URL": "https://u:p@billing.example.com"},
            "WHMCS_API_URL must not contain credentials",
        ),
        ({"WHMCS_API_URL": "https://b.example.com"}, "WHMCS_API_IDENTIFIER is required"),
        (
            {"WHMCS_API_URL": "https://b.example.com", "WHMCS_API_IDENTIFIER": "i"},
            "WHMCS_API_SECRET is required",
        ),
        ({**REAL, "WHMCS_API_URL": "http://billing.example.com"}, "must use https://"),
        ({**REAL, "WHMCS_API_ACCESS_KEY": "bad key with spaces"}, "WHMCS_API_ACCESS_KEY may hold"),
    ],
)
def test_invalid_configuration_names_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env, env_file=None)

    assert names in str(caught.value)
    for secret in ("secret-BBBB2222", "key-CCCC3333", "ident-AAAA1111"):
        assert secret not in str(caught.value)


def test_plain_http_is_allowed_to_loopback_or_when_asked() -> None:
    loopback = Settings.from_env({**REAL, "WHMCS_API_URL": "http://127.0.0.1:8081"}, env_file=None)
    allowed = Settings.from_env(
        {**REAL, "WHMCS_API_URL": "http://whmcs.lan", "WHMCS_ALLOW_INSECURE_URL": "true"},
        env_file=None,
    )

    assert loopback.whmcs.api_url == "http://127.0.0.1:8081"
    assert allowed.whmcs.allow_insecure_url is True


def test_secrets_never_appear_in_a_repr() -> None:
    s = Settings.from_env(REAL, env_file=None)

    text = repr(s) + str(s)

    for secret in ("secret-BBBB2222", "key-CCCC3333", "ident-AAAA1111"):
        assert secret not in text
    assert s.secret_values() == ("ident-AAAA1111", "secret-BBBB2222", "key-CCCC3333")
