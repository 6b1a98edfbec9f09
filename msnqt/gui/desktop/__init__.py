"""Where msnqt meets the desktop: the tray icon, sign-in alerts and sounds, Hotmail links, starting at
log-in."""
