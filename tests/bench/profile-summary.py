#!/usr/bin/env python3
# profile-summary.py MODE WINDOW_MS < `perf script` output — used by profile-gui.sh.
#
# Main thread only (tid == pid). The window starts at the first "mark"
# event (probe_hb:mark*) and lasts WINDOW_MS (0: to the end).
#   MODE cpu:     self and inclusive ms per function (samples / 4) and the
#                 longest bursts of main-thread CPU;
#   MODE uprobes: calls, wall ms (outermost calls only), mean and max per
#                 probed function (probe_hb:F_in / probe_hb:F_out), and when:
#                 each call's start (8 calls or fewer) or calls per 250 ms.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import collections
import re
import sys

mode, window_ms = sys.argv[1], float(sys.argv[2])
HEAD = re.compile(r'^\s*(\S.*?)\s+(\d+)/(\d+)\s+(\d+\.\d+):\s+(\S+):(?:\s|$)')

samples = []  # (time, event, frames [(sym, dso)])
cur = None
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line.strip():
        cur = None
        continue
    m = HEAD.match(line)
    if m:
        comm, pid, tid, t, ev = m.groups()
        cur = [float(t), ev, [], pid == tid]
        samples.append(cur)
        continue
    if cur is not None:
        parts = line.split(None, 1)
        if len(parts) < 2:
            continue
        rest = parts[1]
        dso = ''
        if rest.endswith(')') and ' (' in rest:
            rest, dso = rest.rsplit(' (', 1)
            dso = dso[:-1].rsplit('/', 1)[-1]
        sym = re.sub(r'\+0x[0-9a-f]+$', '', rest.strip())
        cur[2].append((sym, dso))

marks = [s[0] for s in samples if s[1].startswith('probe_hb:mark')]
if not marks:
    sys.exit('no mark event')
t0 = marks[0]
t1 = t0 + window_ms / 1000 if window_ms > 0 else float('inf')
main = [s for s in samples if s[3] and t0 <= s[0] <= t1]
end = max((s[0] for s in main), default=t0)
print(f'window: {window_ms:.0f} ms from the first mark' if window_ms > 0 else
      f'window: from the first mark to the end ({(end - t0) * 1000:.0f} ms)')


def name(f):
    sym, dso = f
    return f'{sym} [{dso}]'


if mode == 'cpu':
    cpu = [s for s in main if s[1].startswith('cpu-clock')]
    print(f'main-thread CPU in the window: {len(cpu) / 4:.1f} ms ({len(cpu)} samples)')
    self_c = collections.Counter(name(s[2][0]) for s in cpu if s[2])
    incl = collections.Counter()
    for s in cpu:
        incl.update({name(f) for f in s[2]})
    print('\nself (ms CPU):')
    for k, n in self_c.most_common(30):
        print(f'  {n / 4:8.1f}  {k}')
    print('\ninclusive (ms CPU):')
    for k, n in incl.most_common(70):
        print(f'  {n / 4:8.1f}  {k}')
    # Bursts: main-thread samples no more than 1 ms apart.
    bursts, b = [], []
    for s in cpu:
        if b and s[0] - b[-1][0] > 0.001:
            bursts.append(b)
            b = []
        b.append(s)
    if b:
        bursts.append(b)
    print('\nlongest bursts (start from the mark, wall, CPU; top inclusive functions):')
    for b in sorted(bursts, key=len, reverse=True)[:6]:
        c = collections.Counter()
        for s in b:
            c.update({name(f) for f in s[2]})
        top = ', '.join(f'{k} {n / 4:.1f}' for k, n in c.most_common(40)
                        if not k.startswith(('g_main', 'g_application', 'main ', '_start', '__libc', 'gtk_main',
                                             'haul_application_run', '[unknown]', 'g_signal_emit',
                                             'g_closure_invoke', 'signal_emit', 'g_cclosure')))[:900]
        print(f'  +{(b[0][0] - t0) * 1000:.0f} ms: {(b[-1][0] - b[0][0]) * 1000 + 0.25:.1f} ms wall, '
              f'{len(b) / 4:.1f} ms CPU: {top}')
else:
    depth = collections.Counter()
    start = {}
    stats = collections.defaultdict(list)
    starts = collections.defaultdict(list)
    for s in main:
        ev = s[1].split(':', 1)[1]
        if ev.endswith('_in'):
            f = ev[:-3]
            if depth[f] == 0:
                start[f] = s[0]
            depth[f] += 1
        elif '_out' in ev:
            f = ev[:ev.rindex('_out')]
            if depth[f] > 0:
                depth[f] -= 1
                if depth[f] == 0:
                    stats[f].append((s[0] - start[f]) * 1000)
                    starts[f].append((start[f] - t0) * 1000)
    print('\nfunction: calls, wall ms in all, mean, max (outermost calls, main thread)')
    for f, d in sorted(stats.items(), key=lambda kv: -sum(kv[1])):
        print(f'  {f}: {len(d)} calls, {sum(d):.1f} ms, mean {sum(d) / len(d):.3f} ms, max {max(d):.1f} ms')
        if len(d) <= 8:
            print('    ' + ', '.join(f'+{t:.0f} ms: {x:.1f} ms' for t, x in zip(starts[f], d)))
        else:
            # When: calls per 250 ms from the mark (the first 3 s at most).
            buckets = collections.Counter(int(t // 250) for t in starts[f] if t < 3000)
            last = max(buckets, default=-1)
            print('    calls per 250 ms: ' + ' '.join(str(buckets[i]) for i in range(last + 1)))
