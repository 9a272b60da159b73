"""Console: the pages for the office, the engineer's phone and the customer, and the people who sign in
to them. It owns no business data: only people, their sessions and their wrong passwords. Who a person
is and how a password proves it (domain/people.py), sign-in and its throttle (domain/throttle.py), the
tokens every service accepts, and the pages (web/), which call the services' APIs as the person."""
