"""Composition root: settings, CLI, embedded PostgreSQL, the Starlette app."""
