"""Persistence: models, engine and sessions, queries, migrations, reference and demo data."""
