"""Answers: prompts, model backends, citation checks, confidence and the answer stream."""
