"""The bank audit: references checked against retrieval, suggestions, deck drift and coverage."""
