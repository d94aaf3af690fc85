"""The `galleys` command: arguments, the entry point, `galleys serve`."""
