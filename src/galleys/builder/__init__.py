"""Building a journal: plan, snapshots, keys, workers, delivery to dist/, watch."""
