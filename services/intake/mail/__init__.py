"""The e-mail hotline: the service mailboxes read over IMAP become tickets, and replies find their ticket.

- `mailbox.py`: the worker that reads each configured mailbox (IDLE where the server has it, polling
  otherwise), hands every new mail to `taking.take` in a transaction that also records the mail's place in
  the mailbox, and flags or moves it only after that commit: a crash in between loses nothing and opens
  nothing twice.
- `domain/reading.py`: a raw mail as the hotline reads it (pure): the sender, the subject, the new words
  (quoted history and signatures trimmed), photos and other attachments, whether it was sent by a machine.
- `taking.py` and `domain/matching.py`: what a mail becomes: a new ticket at the sender's site, a note on
  the ticket it answers, or an unmatched mail for the operator to triage.
- `files.py`, `domain/keeping.py` and `domain/shrinking.py`: what is kept of a mail's files (its photos
  shrunk, three at most, sent to the archive as its ticket's photos once it is on a ticket; its other files
  for the office, 10 MB a mail), and why a file is not (the acknowledgement says it).
"""
