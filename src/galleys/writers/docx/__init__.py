"""The DOCX edition, written by pandoc with our front matter and styles."""
