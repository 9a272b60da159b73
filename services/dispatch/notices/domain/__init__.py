"""The notifications' rules: who hears of what, on which channels and when, in which words."""
