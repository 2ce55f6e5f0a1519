"""The conversation's phases, one module each, declared as a checked table (``table``)."""
