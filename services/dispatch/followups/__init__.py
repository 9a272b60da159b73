"""Follow-up calls: the customer called back after every resolution (what they answer closes or reopens
the ticket), and the periodic satisfaction review of each site."""
