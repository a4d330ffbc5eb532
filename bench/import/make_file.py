"""One NDJSON file of exactly N resources from a seeded population: every type's lines mixed in a fixed pseudo-random
order (seeded, so the same population gives the same bytes), as an export stream from another system would come."""
import os
import random
import sys

pop, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = []
for f in sorted(os.listdir(pop)):
    if f.endswith(".ndjson"):
        with open(os.path.join(pop, f), "rb") as fh:
            lines.extend(l for l in fh if l.strip())
if len(lines) < n:
    sys.exit(f"{pop} holds {len(lines)} resources, fewer than {n}: seed more patients")
random.Random(1).shuffle(lines)
tmp = out + ".tmp"
with open(tmp, "wb") as fh:
    fh.writelines(lines[:n])
os.replace(tmp, out)
print(f"{out}: {n} resources of {len(lines)}")
