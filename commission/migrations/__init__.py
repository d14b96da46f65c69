"""Alembic migrations of the exercise store, shipped in the package (no alembic.ini needed)."""
