#!/usr/bin/env python3
"""Holds files in memory while the harness measures: maps each file and locks it (mlock), prints one JSON line
({"pinned_mb": ..., "error": ...}), then waits until its standard input closes.

  pin.py FILE...

Why: this VM evicts page cache proactively, even with most of its memory free (a 2.8 GB database file kept about
40 % of its pages a few minutes after it was written, and lost 10 % more within a minute while being read), so a
server's reads met a disk fault or a cached page depending on how long ago its file was last read. A database
server with memory to spare keeps its files cached; pinning them makes every run meet that same machine.
"""
import ctypes, ctypes.util, json, mmap, os, sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
MAP_FAILED = ctypes.c_void_p(-1).value


def main():
    pinned, error = 0, None
    for path in sys.argv[1:]:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as e:
            error = f"{path}: {e}"
            continue
        size = os.fstat(fd).st_size
        if size:
            addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
            if addr in (None, MAP_FAILED) or libc.mlock(addr, size) != 0:
                error = f"{path}: {os.strerror(ctypes.get_errno())}"
            else:
                pinned += size
        os.close(fd)  # the mapping keeps the file
    print(json.dumps({"pinned_mb": round(pinned / 1048576, 1), "error": error}), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
