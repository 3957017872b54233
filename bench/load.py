"""A bounded load test of `xxgk serve` on loopback (`make load`; `--short` for CI).

1. Concurrent checks: CONCURRENCY clients post the sample reports to /api/check for SECONDS;
   the latency percentiles and every error are printed.
2. A stalled server: while a 19 MB text and a DOCX zip bomb (~300 KB holding ~200 MB of `<w:p/>`,
   generated here) are posted again and again for HOSTILE_SECONDS, /api/health is asked every
   50 ms; its p99 latency is printed.

Exit 1 when /api/health p99 is 200 ms or more (unless --no-latency-target: the test suite runs on
machines shared with other work, where a latency is no verdict) or any request failed. The server runs on
127.0.0.1 only, over a throwaway SQLite store, and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
HEALTH_P99_MS = 200.0  # the target
HEALTH_EVERY = 0.05  # seconds between health requests

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def docx_bomb(megabytes: int = 200) -> bytes:
    """A DOCX whose document.xml is `megabytes` MB of empty paragraphs (it deflates ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        with z.open("word/document.xml", "w") as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'.encode())
            chunk = b"<w:p/>" * (1024 * 1024 // 6)  # about 1 MB
            for _ in range(megabytes):
                f.write(chunk)
            f.write(b"</w:body></w:document>")
    return out.getvalue()


def big_text(megabytes: int = 19) -> bytes:
    """A real report with its narrative swollen to `megabytes` MB (under the 20 MB upload limit)."""
    report = (ROOT / "samples" / "pingtan_2022.txt").read_text(encoding="utf-8")
    line = "本机关坚持以公开为常态、不公开为例外，认真落实政府信息公开各项工作要求，持续提升政务公开质量。\n"
    times = (megabytes * 1024 * 1024 - len(report.encode())) // len(line.encode())
    return report.replace("二、", line * times + "二、", 1).encode()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path, workers: int | None) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [sys.executable, "-m", "xxgk", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--db", f"sqlite:///{folder / 'load.db'}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited: {(folder / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def concurrent_checks(url: str, concurrency: int, seconds: float) -> tuple[list[float], list[str]]:
    files = [(p.name, p.read_bytes()) for p in SAMPLES]
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency + 5)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def one_client(n: int) -> None:
            i = n
            while time.monotonic() < stop:
                name, data = files[i % len(files)]
                i += 1
                started = time.monotonic()
                try:
                    answer = await client.post("/api/check", files={"file": (name, data, "text/plain")})
                except httpx.HTTPError as error:
                    errors.append(f"{type(error).__name__}: {error}")
                    continue
                latencies.append(time.monotonic() - started)
                if answer.status_code != 200:
                    errors.append(f"{answer.status_code}: {answer.text[:200]}")

        await asyncio.gather(*(one_client(n) for n in range(concurrency)))
    return latencies, errors


async def health_while_hostile(
    url: str, seconds: float, bomb: bool = True
) -> tuple[list[float], list[str], list[str]]:
    """Health latencies while the hostile uploads are read; their answers; health failures."""
    uploads = [("big.txt", big_text(), "text/plain")]
    if bomb:
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        uploads.append(("bomb.docx", docx_bomb(), kind))
    latencies: list[float] = []
    failures: list[str] = []
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        stop = time.monotonic() + seconds

        async def post(name: str, data: bytes, kind: str) -> str:
            """Post the file again and again till the time is up (at least once); the last answer."""
            times = 0
            while True:
                started = time.monotonic()
                answer = await client.post("/api/check", files={"file": (name, data, kind)})
                took, times = time.monotonic() - started, times + 1
                if time.monotonic() >= stop:
                    break
            said = answer.json().get("error", "read") if answer.status_code != 200 else "read"
            size = f"{len(data) / 1e6:.1f} MB"
            return f"{name} ({size}) x{times}: last {answer.status_code} in {took:.1f} s — {said}"

        jobs = [asyncio.create_task(post(*u)) for u in uploads]
        await asyncio.sleep(0.2)  # the uploads are on their way
        async with httpx.AsyncClient(base_url=url, timeout=120) as health:
            while not all(j.done() for j in jobs):
                started = time.monotonic()
                try:
                    answer = await health.get("/api/health")
                    if answer.status_code != 200:
                        failures.append(str(answer.status_code))
                except httpx.HTTPError as error:
                    failures.append(type(error).__name__)
                latencies.append(time.monotonic() - started)
                await asyncio.sleep(HEALTH_EVERY)
        outcomes = [await j for j in jobs]
    return latencies, outcomes, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the concurrent checks run")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients")
    parser.add_argument("--hostile-seconds", type=float, default=15.0, help="how long hostile uploads go on")
    parser.add_argument("--workers", type=int, default=None, help="the server's reading processes")
    parser.add_argument(
        "--no-bomb", action="store_true", help="leave the DOCX bomb out (to measure a server without limits)"
    )
    parser.add_argument("--short", action="store_true", help="a few seconds, for CI")
    parser.add_argument(
        "--no-latency-target", action="store_true", help="print the latency, judge only errors and failures"
    )
    args = parser.parse_args(argv)
    if args.short:
        args.seconds, args.concurrency, args.hostile_seconds = 3.0, 10, 3.0
    with tempfile.TemporaryDirectory(prefix="xxgk-load-") as tmp:
        server, url = start_server(Path(tmp), args.workers)
        try:
            latencies, errors = asyncio.run(concurrent_checks(url, args.concurrency, args.seconds))
            p50, p95 = percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000
            print(
                f"checks: {len(latencies)} in {args.seconds:g} s by {args.concurrency} clients;"
                f" p50 {p50:.0f} ms, p95 {p95:.0f} ms,"
                f" max {max(latencies, default=0) * 1000:.0f} ms; errors {len(errors)}"
            )
            for error in sorted(set(errors))[:5]:
                print("  error:", error)
            health, outcomes, failures = asyncio.run(
                health_while_hostile(url, args.hostile_seconds, not args.no_bomb)
            )
            p99 = percentile(health, 99) * 1000
            print(
                f"/api/health during the hostile uploads: {len(health)} requests, p50"
                f" {percentile(health, 50) * 1000:.0f} ms, p99 {p99:.0f} ms,"
                f" max {max(health, default=0) * 1000:.0f} ms; failures {len(failures)}"
            )
            for outcome in outcomes:
                print("  upload", outcome)
            print(f"server peak memory: {peak_memory_mb(server.pid):.0f} MB")
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    fast = p99 < HEALTH_P99_MS or args.no_latency_target
    ok = not errors and not failures and fast
    print("OK" if ok else f"FAILED: the target is /api/health p99 < {HEALTH_P99_MS:g} ms and no errors")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
