"""``python -m kehu``: the kehu command, for a machine where the console script is not on PATH."""

import sys

from .cli import main

sys.exit(main())
