"""LINE's Messaging API limits, written once: the conversation builds within them
(quick replies, postback data), ``bot.render`` cuts to them, the webhook intake keeps a
resident's text within them, and the local fake API (``bot.dev.line_api``) refuses what
breaks them, as LINE does.

Source: the Messaging API reference (message objects, quick reply, actions, reply/push).
"""

from __future__ import annotations

TEXT_MAX = 5000  # characters of a text message (sent or received)
ALT_TEXT_MAX = 400  # characters of a Flex message's alternative text
LABEL_MAX = 20  # characters of a quick-reply or button label
QUICK_REPLIES_MAX = 13  # items in one message's quick reply
POSTBACK_DATA_MAX = 300  # characters of postback data
DISPLAY_TEXT_MAX = 300  # characters of a postback's display text
MESSAGES_PER_CALL = 5  # messages in one reply or push request
