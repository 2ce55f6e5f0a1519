"""Japanese understanding of what a resident writes: intent, situations, danger, facts."""
