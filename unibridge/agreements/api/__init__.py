"""JSON API of the agreements app: agreements, their lifecycle actions, and agreement types."""
