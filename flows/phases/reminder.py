"""A reminder's move or cancel choice (``rem_move``, ``rem_cancel``), held by
``flows.reminders.ReminderTalk``; the phase it interrupted is put back afterwards. Its ``rem``
taps carry their case and are checked against the database, so they are valid anytime."""

from __future__ import annotations

from flows.phases.table import Declared, Phase

PHASES = (
    Declared(Phase.REM_MOVE, prompt="prompt", text="text_move", leads_to=(Phase.NEW,),
             about="リマインダー: 日時を変える（元の段階へ戻る）", returns=True),
    Declared(Phase.REM_CANCEL, prompt="prompt", text="text_cancel", leads_to=(Phase.NEW,),
             about="リマインダー: 取り消すか（元の段階へ戻る）", returns=True),
)
