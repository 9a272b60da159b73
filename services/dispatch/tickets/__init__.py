"""Tickets and routing: each ticket from its opening to its closing, who must act on it (an engineer, the
quality desk or the service manager's queue), its moves, check-ins on site, escalations to vendor
partners and device swaps."""
