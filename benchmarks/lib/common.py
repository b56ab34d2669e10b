"""What every benchmark records about the machine it ran on."""

from __future__ import annotations

import datetime as dt
import os
import platform
from typing import Any


def machine(**extra: Any) -> dict[str, Any]:
    """CPU count, Python, platform and load average now (timings mean little under load)."""
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **extra,
    }


def header(benchmark: str, **parameters: Any) -> dict[str, Any]:
    """The start of a results file: the benchmark's name, when and where it ran, and with what."""
    return {
        "benchmark": benchmark,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": parameters,
    }
