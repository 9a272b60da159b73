"""SLA's own schema `sla`: clocks."""
