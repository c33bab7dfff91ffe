"""GraphQL for WHMCS orders: read views (the modules contract)."""
