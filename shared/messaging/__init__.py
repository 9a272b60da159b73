"""Messaging kernel: topology, transactional outbox, idempotent inbox consumer, dead letters."""
