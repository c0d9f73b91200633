"""Times GET /healthz in a process of its own, so the crowd's threads in the test process (and their
share of its GIL) never inflate the figure. Prints "ready", then "<status> <seconds>" per sample until
terminated.

    python -m tests.server.healthz_poller http://127.0.0.1:8000
"""
import sys
import time

import httpx

INTERVAL_S = 0.05


def main(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        client.get("/healthz")  # untimed: the first request imports httpx's transport, on our side
        print("ready", flush=True)
        while True:
            started = time.monotonic()
            try:
                status: int | str = client.get("/healthz").status_code
            except httpx.TransportError as exc:
                status = type(exc).__name__
            print(status, round(time.monotonic() - started, 4), flush=True)
            time.sleep(INTERVAL_S)


if __name__ == "__main__":
    main(sys.argv[1])
