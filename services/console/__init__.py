"""Console (coming): the pages for the office, the engineers and the customer, and the people who sign
in to them. It owns no business data: only people and their sessions. So far: who a person is and how
a password proves it (domain/people.py); the pages and the service process come next."""
