"""Planned inspections and appointments: each site's plans, the visits they open, their results (a
failed item becomes a fault ticket at intake), and the time windows agreed with customers."""
