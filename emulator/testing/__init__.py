"""Test integration for client apps: the responses mock, pytest fixtures, a live server."""
