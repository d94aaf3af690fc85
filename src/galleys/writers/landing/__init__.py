"""The landing pages: one per article and the journal's index."""
