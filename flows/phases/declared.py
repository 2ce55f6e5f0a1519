"""Every phase's declaration and the anytime actions: the table ``flows.conversation`` runs,
``python -m flows check`` checks and ``python -m flows diagram`` draws."""

from __future__ import annotations

from flows.phases import (
    ask,
    choose,
    consent,
    contact,
    danger,
    delete,
    reminder,
    returning,
    slot,
    summary,
)
from flows.phases.table import Anytime, Declared, Phase, check

# Which phase object holds each module's methods (flows.phases.base.Phases; "reminders" is
# flows.reminders.ReminderTalk).
MODULES: tuple[tuple[str, tuple[Declared, ...]], ...] = (
    ("choose", choose.PHASES),
    ("ask", ask.PHASES),
    ("consent", consent.PHASES),
    ("summary", summary.PHASES),
    ("slot", slot.PHASES),
    ("contact", contact.PHASES),
    ("returning", returning.PHASES),
    ("danger", danger.PHASES),
    ("delete", delete.PHASES),
    ("reminders", reminder.PHASES),
)

# Valid in every phase: each checks its own fields (a reminder's tap, its case).
# Value: "<phase object>.<method>".
ANYTIME = Anytime(
    actions={
        "cmd": "commands.pb_command",
        "lang": "speech.pb_language",
        "consult": "choose.pb_consult",
        "rem": "reminders.on_postback",
    },
    # danger (any text), やめる, 最初から / 人と話したい, 戻る, 消して, a reminder's buttons
    leads_to=(Phase.DANGER_OFFER, Phase.NEW, Phase.CHOOSE, Phase.ASK, Phase.SUMMARY, Phase.CONFIRM_DELETE,
              Phase.REM_MOVE, Phase.REM_CANCEL),
)


def declared() -> tuple[Declared, ...]:
    return tuple(entry for _, entries in MODULES for entry in entries)


TABLE = check(declared(), ANYTIME)  # checked at import: an inconsistent table never answers anyone
