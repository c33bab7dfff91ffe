from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import Api
from tests.graph.documents import COMPLETE_CLIENT, CREATE_LOCAL

CreateClient = Callable[..., Awaitable[str]]


@pytest.fixture
def create_client(api: Api) -> CreateClient:
    """Create a local client through the API (complete enough for AddClient); returns its id."""

    async def create(**overrides: Any) -> str:
        data = await api.gql(CREATE_LOCAL, {"input": {**COMPLETE_CLIENT, **overrides}})
        result = data["createLocalClient"]
        assert result["__typename"] == "Client", result
        client_id: str = result["id"]
        return client_id

    return create
