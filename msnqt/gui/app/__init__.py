"""Application-wide services every window uses: the engine bridge and its types, background tasks, settings,
the keyring, bundled resources and .ui loading, the 1999 look, and error wording."""
