"""The quality desk: its cases (complaints, low follow-up and review scores), who handles each, whom it
is reported to, and the answer given to the customer."""
