import strawberry

from graph.enums import ConnectionFailure


@strawberry.type
class ConnectionTest:
    success: bool
    message: str
    whmcs_version: str | None
    response_time_ms: int | None
    failure: ConnectionFailure | None = strawberry.field(description="Null on success.")
    hint: str | None = strawberry.field(description="Null on success.")
    sandbox: bool = strawberry.field(
        default=False,
        description="True when the built-in WHMCS sandbox answered, not a real WHMCS.",
    )
