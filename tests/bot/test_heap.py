"""bot.heap: start-up objects are left out of later garbage collections."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_objects_built_at_start_up_are_not_walked_by_later_collections():
    # In a child process: freezing is process-wide and must not leak into the test run.
    script = textwrap.dedent(
        """
        import gc
        from bot.heap import freeze_startup_objects

        startup = [[i] for i in range(20_000)]          # long-lived, GC-tracked
        garbage = [[i] for i in range(50)]; garbage.append(garbage); del garbage  # a cycle
        frozen = freeze_startup_objects()
        tracked = {id(o) for o in gc.get_objects()}
        later = [[i] for i in range(10)]
        print(frozen >= 20_000, id(startup[0]) in tracked, id(later[0]) in {id(o) for o in gc.get_objects()})
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    # Frozen: start-up lists are no longer in any collected generation; new objects are.
    assert out.stdout.split() == ["True", "False", "True"]
