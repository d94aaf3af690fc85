"""`python -m galleys`: the same as the `galleys` command."""

import sys

from .cli import main

sys.exit(main())
