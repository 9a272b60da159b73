"""Vendor rules: the cases and their steps."""
