"""Intake: takes service requests from the hotline, email, on-site visits and inspections,
validates them against the site's contract and equipment register, deduplicates, classifies,
gives each a ticket id and publishes `ticket.opened`."""
