"""Factories, fakes and loopback servers for tests."""
