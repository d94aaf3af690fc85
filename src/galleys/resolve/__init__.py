"""The body's passes, once for every edition: links, numbering, figures, citations."""
