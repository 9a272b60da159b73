"""Vendor's own schema `vendor`: escalations."""
