"""msnqt layer; see architecture.md."""
