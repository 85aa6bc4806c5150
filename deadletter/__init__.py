"""The dead-letter parking store: dead letters drained from ``esb.deadletter`` into the store, where people
find them (by route, error, business key, failure kind), fix them (JSON Patch), replay or discard them,
every change audited. See ``deadletter/README.md``."""
