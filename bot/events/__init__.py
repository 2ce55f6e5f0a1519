"""Handlers for each kind of LINE webhook event, chosen by a small registry."""
