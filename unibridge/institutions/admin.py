"""Institutions, units, people and partnerships have no admin pages: the office edits them
on their own pages and through the API, both through ``services.py``, with the audit."""
