"""Keep the garbage collector's full passes off the webhook's latency.

After start-up a process holds ~300k long-lived objects (FastAPI, the LINE SDK's models,
SQLAlchemy, the NLU model). A full (generation 2) collection walks all of them: about
0.3 s on the 2-core development machine, during which the process answers nothing, which
showed as 0.5 s spikes in bench/webhook.py. ``gc.freeze()`` moves what start-up built into
a permanent generation that collections skip; what handling allocates later is collected
as usual.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect start-up garbage once, then exempt the survivors; returns how many."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
