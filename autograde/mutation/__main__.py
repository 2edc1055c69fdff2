"""``python -m autograde.mutation``: the same as ``autograde mutate``."""

import sys

from autograde.mutation.command import main

sys.exit(main())
