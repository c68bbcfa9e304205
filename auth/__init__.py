"""Identity: tokens, principals, password hashing."""
