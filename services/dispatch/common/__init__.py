"""What dispatch's areas share: the sites it serves (their time zones and where they are), what a
customer may see of its rows, and who counts as acting only as an engineer."""
