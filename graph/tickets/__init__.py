"""GraphQL for WHMCS tickets: read views (the modules contract)."""
