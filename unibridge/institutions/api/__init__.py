"""JSON API of the institutions app: institutions, units, people and partnerships."""
