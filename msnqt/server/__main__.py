"""``python -m msnqt.server``: the same command line as ``msnqt-server``."""

import sys

from .cli import main

sys.exit(main())
