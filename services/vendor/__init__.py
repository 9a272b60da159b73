"""Vendor: escalates to the manufacturer what the engineers cannot fix or what is broken, through one
durable queue per vendor partner, and tracks the partner's acknowledgement and response deadline.
So far it records the escalations dispatch asks for; the partner queues come next."""
