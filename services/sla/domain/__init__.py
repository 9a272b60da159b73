"""SLA rules: calendars and targets, pure functions of time."""
