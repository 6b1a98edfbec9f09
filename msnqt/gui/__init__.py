"""The PySide6 windows of msnqt; they observe the client engine and never touch sockets (architecture.md)."""
