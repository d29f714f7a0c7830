"""What every benchmark result file records about the machine it was measured on."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe(**versions) -> dict:
    """Platform, processor, cores and Python, plus the library versions passed in."""
    return {
        "platform": platform.platform(),
        "processor": cpu_name(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        **versions,
    }
