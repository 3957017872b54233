"""Worker processes that read reports (the server's pool of uploads, a batch's pool of files):
what one job may take.

A hostile or broken file must not stall a server nor a batch of a million files: a job past its
time is ended by killing its worker, and a worker's address space is limited (past it an
allocation fails with MemoryError). Each limit can be set in the environment: XXGK_JOB_SECONDS,
XXGK_JOB_MEMORY_MB and (the server's) XXGK_WORKERS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from xxgk.errors import XxgkError

DEFAULT_WORKERS = 2  # XXGK_WORKERS (the server's; a batch takes --jobs)
SERVER_JOB_SECONDS = 120.0  # XXGK_JOB_SECONDS: an upload, read while its user waits
# a batch's file: a scan of the most pages read (300) at the seconds a page OCR takes (2.5), with
# room for a slower machine; no real report comes near it
BATCH_FILE_SECONDS = 1800.0
DEFAULT_JOB_MEMORY_MB = 2560  # XXGK_JOB_MEMORY_MB: address space of a worker; OCR of a scan needs 2 GB

# how native libraries say an allocation failed (C++ std::bad_alloc, onnxruntime's allocator)
NATIVE_OUT_OF_MEMORY = ("bad_alloc", "Failed to allocate memory")


@dataclass(frozen=True)
class Limits:
    workers: int = DEFAULT_WORKERS
    seconds: float = SERVER_JOB_SECONDS
    memory_mb: int = DEFAULT_JOB_MEMORY_MB

    @classmethod
    def from_env(cls, workers: int | None = None, seconds: float = SERVER_JOB_SECONDS) -> Limits:
        """The limits set in the environment, else these defaults (`seconds`: a job's time)."""

        def number(name: str, default: float) -> float:
            value = os.environ.get(name, "").strip()
            try:
                chosen = float(value) if value else default
            except ValueError:
                raise XxgkError(f"${name} must be a number, not {value!r}") from None
            if chosen <= 0:
                raise XxgkError(f"${name} must be above 0, not {value}")
            return chosen

        chosen = workers if workers is not None else int(number("XXGK_WORKERS", DEFAULT_WORKERS))
        if chosen < 1:
            raise XxgkError(f"the number of workers must be at least 1, not {chosen}")
        return cls(
            workers=chosen,
            seconds=number("XXGK_JOB_SECONDS", seconds),
            memory_mb=int(number("XXGK_JOB_MEMORY_MB", DEFAULT_JOB_MEMORY_MB)),
        )


def limit_memory(megabytes: int) -> None:
    """Limit this process's address space to `megabytes` (in a worker, as it starts)."""
    import resource  # POSIX only: here, so that what imports this module runs anywhere

    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:  # a limit set from outside (a container's) stays the bound
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def out_of_memory(error: BaseException) -> bool:
    """The error says an allocation failed: Python's MemoryError, or a native library's own."""
    return isinstance(error, MemoryError) or any(sign in str(error) for sign in NATIVE_OUT_OF_MEMORY)
