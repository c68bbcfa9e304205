"""Resolvers: one module per domain, a typed per-request Context, dataloaders."""
