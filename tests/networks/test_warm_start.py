"""The resolution job's one-time costs are paid when the worker loads it, not mid-serving."""

from __future__ import annotations

import subprocess
import sys


def test_loading_the_resolution_job_imports_what_its_first_message_would() -> None:
    # pyarrow imports pandas at its first list conversion (about a second of CPU holding
    # the GIL): if that waited for the first message to resolve, every request the node
    # was serving at that moment would stall behind it.
    probe = "import sys\nimport liaison.networks.jobs\nprint('pandas' in sys.modules)\n"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "True", out.stderr
