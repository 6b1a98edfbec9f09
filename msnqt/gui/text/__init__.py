"""Text as the user sees it: untrusted names kept plain, eliding that never cuts the status off, status words,
and what a screen reader is told."""
