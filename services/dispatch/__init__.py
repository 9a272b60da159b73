"""Dispatch: routes each ticket to whoever must act. Complaints go to the quality desk; faults,
repairs, technical support and consultations go to the engineer who owns that subsystem at that
site, or, if they are off duty or overloaded, to the least loaded qualified engineer on duty. A ticket
never gets two engineers by accident, however many dispatch replicas run."""
