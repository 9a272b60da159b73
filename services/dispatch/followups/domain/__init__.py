"""The follow-ups' rules: when a call is due, what the answer decides, the review periods."""
