"""What the user does to contacts: adding, blocking, moving between lists, and the dialogs for it."""
