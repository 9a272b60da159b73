"""The roster: engineers, the sites they serve, who owns which subsystem, and their duty (shifts,
on-call periods and leave) in each site's local time."""
