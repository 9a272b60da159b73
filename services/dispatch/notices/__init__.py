"""Notices to people, decided: the events dispatch hears on its queue `dispatch.notices` become the
people to tell (the ticket's engineer, the one taken off it, the site's managers or quality desk), with
whether each engineer is on duty, published as `notice.decided`. How and when each is reached is the
notify service's. Kept apart from the other areas: a ticket's facts and an engineer's duty come
through the functions app.py gives it."""
