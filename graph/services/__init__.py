"""GraphQL for WHMCS services: read views (the modules contract)."""
