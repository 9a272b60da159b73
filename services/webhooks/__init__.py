"""Webhooks: the events of a site delivered to the customer's own systems (a mall's building management
or ticketing system), each signed, retried for a day, recorded and replayable; a subscriber that keeps
failing is paused and its owner told."""
