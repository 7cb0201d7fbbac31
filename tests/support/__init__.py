"""Helpers the tests share: generated decks, the real deck's location, subprocess runners, ports.

Fixtures live in ``tests/conftest.py``; plain functions and constants live here, so that no test
imports another test file or anything under ``benchmarks/``.
"""
