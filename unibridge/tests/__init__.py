"""Tests of the site as a whole: what crosses apps (leaks, concurrent writers, the API
schema and its error bodies, the demo story, history of child records, limits) and the
project's structure (core knows no app, no import cycles)."""
