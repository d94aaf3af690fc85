"""The HTML pages: the full-text edition (<slug>.html), and the templates every page shares."""
