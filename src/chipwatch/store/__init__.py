"""Persistence: the database (SQLite or PostgreSQL), migrations and the audit log."""

from chipwatch.store.db import Database, database_url, open_database

__all__ = ["Database", "database_url", "open_database"]
