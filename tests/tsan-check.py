#!/usr/bin/env python3
"""Reads ThreadSanitizer output (files or stdin) and fails if any report
has an access made by Haul's own code: the first frame of either
conflicting access's stack, looking through TSan's interceptors and GLib's
allocation wrappers (g_malloc, g_free…), is in src/ or tests/ (other than
the annotation layer src/core/haul-tsan.c). Reports where both accesses are
made inside GLib, libsoup or other system libraries (on their own memory,
under their own locks, which TSan cannot see: see src/core/haul-tsan.c) are
counted and listed by the accessing function, not failed.
It also fails when the canary (tests/tsan-canary.c) was not reported, which
would mean TSan sees nothing at all.
Usage: tsan-check.py LOG… [--expect-canary]"""

import re
import sys
from collections import Counter

HAUL = re.compile(r"\.\./(src|tests)/(?!core/haul-tsan\.c)")
TRANSPARENT = re.compile(r"^#\d+ (g_malloc0?|g_try_malloc0?|g_realloc|g_free|g_strdup|g_strndup|g_memdup2|"
                         r"g_slice_alloc0?|g_slice_free1|g_slice_copy|memcpy|memmove|memset|strlen|"
                         r"__interceptor_\w+|\w+) ")


def accessor(stack):
    """The first frame that is not TSan's or a thin allocation wrapper."""
    for frame in stack:
        if "libtsan" in frame:
            continue
        name = frame.split()[1] if len(frame.split()) > 1 else ""
        if name in ("g_malloc", "g_malloc0", "g_try_malloc", "g_realloc", "g_free", "g_strdup",
                    "g_strndup", "g_memdup2", "g_slice_alloc", "g_slice_alloc0", "g_slice_free1"):
            continue
        return frame
    return "?"


def access_stacks(report):
    """The stacks of the two accesses (not the thread-creation stacks)."""
    stacks, current = [], None
    for line in report.splitlines():
        if re.match(r"\s+(Read|Write|Atomic \w+|Previous \w+)", line):
            current = []
            stacks.append(current)
        elif re.match(r"\s+(Location is|Thread T|Mutex|SUMMARY)", line):
            current = None
        elif current is not None and re.match(r"\s+#\d+ ", line):
            current.append(line.strip())
    return stacks


def main():
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    text = "".join(open(p, errors="replace").read() for p in paths) if paths else sys.stdin.read()
    reports = text.split("WARNING: ThreadSanitizer")[1:]
    ours, theirs = [], Counter()
    for r in reports:
        accessors = [accessor(s) for s in access_stacks(r)]
        if any(HAUL.search(a) for a in accessors) or "tsan_canary_racy" in r:
            ours.append(r)
        else:
            theirs[" / ".join(sorted(set(re.sub(r"^#\d+ ", "", a).split(" (")[0] for a in accessors)))] += 1
    canary = sum("tsan_canary_racy" in r for r in ours)
    ours = [r for r in ours if "tsan_canary_racy" not in r]
    print(f"{len(reports)} reports: {len(ours)} in Haul's code, {sum(theirs.values())} inside system "
          f"libraries only, {canary} from the canary")
    for top, n in theirs.most_common():
        print(f"  {n:4d}  {top}")
    for r in ours[:20]:
        sys.stdout.write("=" * 60 + "\nWARNING: ThreadSanitizer" + r.split("SUMMARY")[0] + "\n")
    failed = bool(ours)
    if "--expect-canary" in sys.argv and canary == 0:
        print("the canary's race was not reported: TSan is not seeing Haul's code")
        failed = True
    sys.exit(1 if failed else 0)


main()
