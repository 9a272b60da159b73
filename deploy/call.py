"""Call a service's API from inside the compose network, where dispatch's replicas answer and which the
slim image reaches without curl. Standard library only. The bearer token comes from $TOKEN.

    docker compose -f deploy/compose.yaml exec -e TOKEN intake \\
        python /app/deploy/call.py http://dispatch:8002/tickets/HH138-20261125-0001
    ... python /app/deploy/call.py http://dispatch:8002/tickets/HH138-20261125-0001/accept '{}'

With a JSON body as second argument it POSTs it. Prints the answer's body; exits 1 on a 4xx or 5xx.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 30


def call(url: str, body: str | None, token: str | None) -> tuple[int, str]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(  # noqa: S310 (a URL the operator gives)
        url, data=None if body is None else body.encode(), headers=headers, method="GET" if body is None else "POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(f"usage: TOKEN=... {sys.argv[0]} URL [JSON body to POST]")
    status, answer = call(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None, os.environ.get("TOKEN"))
    print(answer)
    sys.exit(0 if status < 400 else 1)
