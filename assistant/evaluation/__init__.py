"""Evaluation: retrieval and answer quality against the bank, and the speed table; their data ships as package data."""
