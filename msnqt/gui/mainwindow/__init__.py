"""The contact-list main window with its menus and the dialogs it opens (sign-in, create account, help)."""
