"""Running locally: the embedded PostgreSQL, the migration runner, one server for every function."""
