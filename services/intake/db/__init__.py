"""Intake's own schema `intake`: sites, subsystems, equipment register, requests, counters."""
