"""Dispatch's own schema `dispatch`: engineers, ownership, tickets and assignments."""
