"""The "invisible work" report: what consumers did for the brand, and what it is worth."""
