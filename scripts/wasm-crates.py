#!/usr/bin/env python3
"""Sums twiggy's shallow sizes per crate, largest first:
`twiggy top -n 1000000 -f csv FILE.wasm | scripts/wasm-crates.py [ROWS]`.
A function counts for the first crate its name mentions (`<rcc_core::X as serde::Serialize>` is
rcc_core's; `core::slice::sort::...<T>` instantiated for a core type is core's); data segments
count together; the name sections (not shipped: wasm-opt strips them) are left out of the total."""
import csv
import re
import sys
from collections import Counter

sizes = Counter()
unshipped = 0
for row in csv.DictReader(sys.stdin):
    name, size = row["Name"], int(row["ShallowSize"])
    if name.startswith('"') and "names" in name:
        unshipped += size
        continue
    if name.startswith("data segment"):
        key = "(data segments)"
    else:
        m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)::", name)
        key = m.group(1) if m else "(shims, imports, tables, sections)"
    sizes[key] += size
total = sum(sizes.values())
print(f"{total:>9} bytes without the name sections ({unshipped} bytes of names left out)")
for key, size in sizes.most_common(int(sys.argv[1]) if len(sys.argv) > 1 else 25):
    print(f"{size:>9} {100 * size / total:5.1f}%  {key}")
