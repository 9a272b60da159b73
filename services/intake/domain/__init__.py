"""Intake's rules: how a request is classified, recognised as a repeat, and numbered."""
