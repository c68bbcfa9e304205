"""Pure domain rules of f0care: enums, clinical rule sets, state machines. No I/O."""
