"""Notifications to people: the events dispatch hears on `dispatch.notices` become notices, each one
notification per person and channel (e-mail, robot, SMS), sent by the sender. Kept apart from the
other areas (it reads a ticket's facts only through the function it is given), to become a service of
its own."""
