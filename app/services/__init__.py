"""Business rules and transactions. Services flush; the caller (a view or command) commits."""
