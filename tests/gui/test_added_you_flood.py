"""A burst of "has added you" (a server reporting thousands of people on my reverse list, issue 14) opens
a few prompts at a time; the rest wait their turn, each person is asked once, nothing waits past sign-out."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from msnqt.gui.contacts.added_you import AddedYouDialog
from msnqt.gui.mainwindow.contact_menu import MAX_PROMPTS_SHOWN
from tests.gui.fake_messenger import AddedBy
from tests.gui.test_widgets_fake_engine import make_window, sign_in
from tests.support.qt import wait_until

PEOPLE = [f"fan{i}@hotmail.com" for i in range(MAX_PROMPTS_SHOWN + 50)]


def _open_prompts() -> list[AddedYouDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, AddedYouDialog) and w.isVisible()]


def test_a_burst_of_added_you_shows_a_few_prompts_then_the_next_ones(gui_app: Any, qloop: Any,
                                                                      settings: Any) -> None:
    window, engines = make_window(settings)

    async def scenario() -> None:
        await sign_in(window)
        for handle in [*PEOPLE, PEOPLE[-1]]:  # the last one twice: asked once
            engines[0].emit(AddedBy(handle, handle.split("@")[0], True))
        await wait_until(lambda: len(_open_prompts()) == MAX_PROMPTS_SHOWN)
        assert [p.handle for p in window.contact_ui.prompts] == PEOPLE[:MAX_PROMPTS_SHOWN]
        assert len(window.contact_ui.waiting_prompts) == len(PEOPLE) - MAX_PROMPTS_SHOWN

        window.contact_ui.prompts[0].reject()  # "Cancel": the next person is asked
        await wait_until(lambda: PEOPLE[MAX_PROMPTS_SHOWN] in {p.handle for p in _open_prompts()})
        assert len(_open_prompts()) == MAX_PROMPTS_SHOWN

        await window.session.sign_out()
        assert window.contact_ui.waiting_prompts == {}

    qloop.run(scenario())
    for prompt in _open_prompts():
        prompt.reject()
