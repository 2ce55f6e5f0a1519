"""Settings live in the neutral ``settings`` package, below every package, so flows, handoff,
nlu and migrations take them as arguments without importing the edge.  This re-export keeps
code written against ``bot.config`` importing while branches merge; new code imports
``settings``."""

from settings import DATA_DIR, REPO_ROOT, Settings, get_settings

__all__ = ["DATA_DIR", "REPO_ROOT", "Settings", "get_settings"]
