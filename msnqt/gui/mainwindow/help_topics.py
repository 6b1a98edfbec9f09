"""Help > Help Topics: a short local help page (1.0 had Help Topics; its text was Microsoft's, this is ours).

Kept as text in the program rather than a web page: it must work with no network and no browser, and it is
read by screen readers like the rest of the app (a read-only browser the keyboard can move through).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

TITLE = "MSN Messenger Service Help"

HELP_HTML = """
<h2>MSN Messenger Service Help</h2>
<h3>Signing in</h3>
<p>Click <b>Click here to sign in</b> (or File &gt; Sign In...). Type your sign-in name (an e-mail
address) and password. Under <b>Sign in to</b>, choose <b>A server</b> and type its address (for example
messenger.example.com:1863), or <b>This computer</b> to use the server built into this program; there you can
click <b>Create a new account on this computer...</b> first.</p>
<h3>Adding contacts</h3>
<p>Click <b>Add</b> on the toolbar (or Tools &gt; Add a Contact...). Type the person's e-mail address, or
search the member directory by name. Someone who is not a member can be sent an e-mail invitation.</p>
<h3>Sending an instant message</h3>
<p>Double-click a contact who is online (or press Enter), or click <b>Send</b>. Type in the box at the bottom
and press Enter; Shift+Enter starts a new line. Click <b>Invite</b> to bring someone else into the
conversation. For a contact who is not online, the contact's menu offers <b>Send Mail</b> instead.</p>
<h3>Saving a conversation</h3>
<p>Press Ctrl+S in the conversation window, or right-click the conversation and choose <b>Save As...</b>.
The conversation is saved as a plain text file.</p>
<h3>Your status</h3>
<p>Click your name above the list (or File &gt; My Status) to show others that you are Busy, Be Right Back,
Away, On the Phone, Out to Lunch, or to Appear Offline. After some minutes without input you are shown as
Idle (Tools &gt; Options &gt; Preferences).</p>
<h3>Privacy</h3>
<p>Right-click a contact and choose <b>Block</b> so that they cannot see you or send you messages.
Tools &gt; Options &gt; Privacy shows who may see you and who has added you to their list.</p>
<h3>Signing out</h3>
<p>File &gt; Sign Out. Open conversation windows stay open so you can read them; after you sign in again
they can send again. File &gt; Exit ends the program.</p>
<h3>Keyboard</h3>
<p>Tab moves between the parts of a window; the menu key or Shift+F10 opens a contact's menu; Delete
deletes the selected contact (after asking); F1 opens this help.</p>
"""


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName("Help text")
        self.browser.setOpenExternalLinks(False)
        self.browser.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.browser.setHtml(HELP_HTML)
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(440, 420)

    def plain_text(self) -> str:
        return self.browser.toPlainText()
