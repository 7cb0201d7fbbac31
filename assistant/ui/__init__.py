"""Presentation: terminal text and JSON, and the web view."""
