"""Dispatch's schema `dispatch`: its metadata and the kernel's tables (schema.py), the whole schema as
the areas declare it (tables.py), and its one Alembic history (migrations/)."""
