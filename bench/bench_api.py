"""Checking an uploaded report through the API: latency over a few hundred requests on loopback.

A real `uvicorn` server (one worker) in this process, a real HTTP client; each request uploads a
corpus report to POST /api/check and waits for the JSON contract.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from xxgk.serve import create_app

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(f"sqlite:///{Path(folder) / 'api.db'}")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        files = {"txt": sorted(CORPUS.glob("*.txt")), "html": sorted(CORPUS.glob("*.html"))}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for kind, paths in files.items():
                if not paths:
                    continue
                uploads = [(p.name, p.read_bytes()) for p in paths]
                times = []
                for i in range(args.requests):
                    name, data = uploads[i % len(uploads)]
                    start = time.perf_counter()
                    response = client.post("/api/check", files={"file": (name, data)})
                    times.append(time.perf_counter() - start)
                    response.raise_for_status()
                times.sort()
                p95 = times[int(0.95 * (len(times) - 1))]
                median = statistics.median(times)
                print(
                    f"POST /api/check ({kind:4}) {len(times)} requests: median {1000 * median:6.1f} ms,"
                    f" 95th percentile {1000 * p95:6.1f} ms"
                )
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
