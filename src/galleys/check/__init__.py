"""`galleys check`: every edition read back slot by slot and compared with the source."""
