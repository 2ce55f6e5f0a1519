"""The conversation a resident has with tsunagu, independent of LINE."""
