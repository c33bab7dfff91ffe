"""Local stores: the bridge's own `clients` table, or an application's existing table."""
