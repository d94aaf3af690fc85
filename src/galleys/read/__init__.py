"""Reading an article as written: Markdown + YAML, names, dates, raw TeX, Quarto."""
