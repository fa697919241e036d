"""Tests of the built-in check plugins against real loopback servers."""
