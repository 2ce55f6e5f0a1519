"""Shared test helpers: signed webhook payloads, servers on loopback, the fake LINE API."""
