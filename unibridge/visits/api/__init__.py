"""JSON API of the visits app: visits with their participants and programme, meetings with
their decisions, and action items."""
