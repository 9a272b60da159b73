"""Container health check: exit 0 when the URL (a service's `/readyz`) answers 200, 1 otherwise.

Standard library only, so a check costs a bare interpreter start (the slim image has no curl, and
the `aftercare` command takes seconds to import everything it can do).
Usage: python /app/deploy/healthcheck.py http://127.0.0.1:8002/readyz
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 3


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (a URL we are given)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} URL")
    sys.exit(0 if ready(sys.argv[1]) else 1)
