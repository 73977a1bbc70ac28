"""The database: one declarative base, an engine factory with the SQLite pragmas we rely on."""
