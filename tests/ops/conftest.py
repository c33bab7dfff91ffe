"""The WHMCS the operations tests' real server processes talk to: the sandbox, on its own port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from integrations.whmcs.sandbox import SandboxConfig, start_sandbox


@pytest.fixture
def whmcs_config() -> SandboxConfig:
    """Override in a module for other credentials."""
    return SandboxConfig(identifier="ops-ident-3c1f", secret="ops-secret-8e2a")


@pytest.fixture
async def whmcs(whmcs_config: SandboxConfig) -> AsyncIterator[Any]:
    async with await start_sandbox(whmcs_config) as running:
        yield running
