"""GraphQL for WHMCS domains: read views (the modules contract)."""
