"""A reader's own pages: the personal-data consent, what is stored, deleting the account."""
