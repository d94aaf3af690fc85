"""The PDF edition, typeset with reportlab Platypus."""
