"""msnqt layer; see architecture.md.

Importing the GUI first protects the process from a reference-count bug of PySide6 6.12 on CPython 3.11
(see pyside_refcount_guard.py), so every entry point that shows a window is covered.
"""

from msnqt.gui.pyside_refcount_guard import immortalise_singletons

immortalise_singletons()
