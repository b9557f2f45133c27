"""Checks that the engine's row scans still prefetch in the built library.

The scans over cell entries and matches read rows scattered across memory
and start loading them a few entries ahead (engine/prefetch.h). A compiler
may drop a prefetch it cannot see a use for: GCC 12 did, silently, for the
geo scan of SearchRun::CollectGeo, because its pure-const analysis found
the prefetching helper free of side effects. Nothing else would notice: the
results stay the same, only slower. So this reads the disassembly of the
library and requires prefetch instructions in each scan.

Usage: check_scan_prefetch.py LIBINKDEX_ARCHIVE
"""
import platform
import re
import subprocess
import sys
import unittest

# Function (demangled name patterns, all of which must match) -> what it is.
SCANS = {
    ("CellIndex::ForEachInUntil<", "CollectGeo"): "the geo scan of a search",
    ("CellIndex::ForEachTaggedUntil<", "AddNearby"): "suggest's scan near a point",
    ("SearchRun::Classify(",): "classifying text or region candidates",
    ("SearchRun::ApplyText(",): "text matches without a place",
}

# What engine/prefetch.h emits. Abseil's hash tables prefetch too (into
# the outer caches, prefetcht2), in the same functions: not counted.
PREFETCH = re.compile(r"\tprefetcht0\s|\tprfm\s+pldl1keep")


def prefetches_by_function(archive):
    out = subprocess.run(["objdump", "-d", "-C", "--no-show-raw-insn", archive],
                         check=True, capture_output=True, text=True).stdout
    counts = {}
    name = None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            name = m.group(1)
            counts.setdefault(name, 0)
        elif name is not None and PREFETCH.search(line):
            counts[name] += 1
    return counts


class ScanPrefetchTest(unittest.TestCase):
    archive = None

    def test_every_scan_prefetches(self):
        if platform.machine() not in ("x86_64", "aarch64"):
            print("inkdex-skip: prefetch instructions checked on x86-64 and AArch64 only")
            return
        counts = prefetches_by_function(self.archive)
        for patterns, what in SCANS.items():
            # A function's cold part (error paths GCC splits off) has no loop.
            funcs = [f for f in counts
                     if all(p in f for p in patterns) and "[clone .cold]" not in f]
            self.assertTrue(funcs, f"{what}: no function matching {patterns} in {self.archive}")
            for f in funcs:
                self.assertGreater(counts[f], 0, f"{what}: no prefetch left in {f[:160]}")


if __name__ == "__main__":
    ScanPrefetchTest.archive = sys.argv.pop(1)
    unittest.main(verbosity=2)
