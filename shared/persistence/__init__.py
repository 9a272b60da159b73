"""Persistence kernel: one schema per service, its engine, and the outbox and inbox tables."""
