"""`python -m generator` is the `bulletin` command."""

import sys

from .cli import main

sys.exit(main())
