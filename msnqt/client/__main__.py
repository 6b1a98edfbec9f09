"""``python -m msnqt.client``: the command-line client (same as ``msnqt-cli``)."""

import sys

from .cli import main

sys.exit(main())
