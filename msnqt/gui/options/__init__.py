"""The Options dialog and its tabs (Personal, Preferences, Privacy, Connection)."""
