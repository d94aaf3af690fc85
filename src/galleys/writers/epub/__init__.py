"""The EPUB 3 edition, packaged with ebooklib."""
