"""Read queries: async, keyword-only, session first."""
