"""Vendor: escalates to the manufacturer what the engineers cannot fix or what is broken. Each vendor
partner has its own durable queue of self-contained escalation requests and its own broker user, and
replies on an exchange it may only publish its own replies to; every case is followed step by step
under the partner's agreement, whose clocks the SLA service runs."""
