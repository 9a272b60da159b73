"""Dispatch's rules: who handles a ticket."""
