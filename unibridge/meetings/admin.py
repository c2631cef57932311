"""Meetings have no admin pages: the office edits them on their own pages, with the audit."""
