"""`galleys check`: the editions read back and compared with the source."""
