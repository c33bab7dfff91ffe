"""GraphQL for WHMCS invoices: read views (the modules contract)."""
