"""The tickets' rules: a ticket's lifecycle, who handles it, and whether an arrival agrees with the site."""
