"""`galleys import`: foreign files (OJS page text, Word manuscripts) into article.md."""
