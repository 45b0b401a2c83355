#!/bin/sh
# summarize-throttled.sh RAW.tsv… — medians and ratios of run-throttled.sh
# as markdown. Several raw files may be given: their runs are pooled.
#
# For each case (RATE:SIZE_MIB) and tool: the median wall time, CPU time
# (user + sys), peak RSS and speed over the runs whose output was verified
# ("ok"); failed runs are counted and shown, never averaged in. "size ÷
# rate" is the nominal time of one connection (nginx's last burst makes it
# up to 1 s less); "÷ curl" is curl's median wall (one connection, measured)
# ÷ the tool's. Ratios compare medians of wall time: Haul ÷ aria2c (target
# ≤ 1.0×) and Haul ÷ the fastest peer.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 RAW.tsv…" >&2; exit 2; }

grep -h '^# limit check' "$@" | sed -e 's/^# /- /' || true
echo

grep -hv '^#' "$@" | grep -v '^case' | awk -F '\t' "$(cat "$here/runs.awk")"'
function rate_bytes(r) {
  if (r ~ /[kK]$/) return substr(r, 1, length(r) - 1) * 1024
  if (r ~ /[mM]$/) return substr(r, 1, length(r) - 1) * 1048576
  return r + 0
}
END {
  order_tools("haul aria2c wget2 curl")
  print "| case (rate : MiB) | size ÷ rate (s) | tool | runs ok | median wall (s) | MiB/s | speed-up over curl | median CPU (s) | median peak RSS (MiB) |"
  print "|---|---|---|---|---|---|---|---|---|"
  for (i = 1; i <= nk; i++) {
    c = ks[i]
    split(c, p, ":")
    rb = rate_bytes(p[1]); mib = p[2] + 0
    one = mib * 1048576 / rb
    cm = median(c SUBSEP "curl" SUBSEP "wall")
    for (k = 1; k <= nt[c]; k++) {
      t = ts[c, k]
      runs = (ok[c, t] + 0) "/" (ok[c, t] + bad[c, t])
      first = (k == 1) ? sprintf("%s | %.1f", c, one) : " | "
      m = median(c SUBSEP t SUBSEP "wall")
      if (m < 0) { printf "| %s | %s | %s | failed | | | | |\n", first, t, runs; continue }
      su = (cm > 0 && m > 0) ? sprintf("%.1f×", cm / m) : "n/a"
      printf "| %s | %s | %s | %.2f | %.1f | %s | %.2f | %.1f |\n", first, t, runs, m,
             (m > 0 ? mib / m : 0), su,
             median(c SUBSEP t SUBSEP "cpu"), median(c SUBSEP t SUBSEP "rss") / 1024
    }
  }
  print ""
  print "| case | Haul ÷ aria2c | Haul ÷ fastest peer | fastest peer | target (Haul ≤ 1.0× aria2c) |"
  print "|---|---|---|---|---|"
  for (i = 1; i <= nk; i++) {
    c = ks[i]
    h = median(c SUBSEP "haul" SUBSEP "wall")
    a = median(c SUBSEP "aria2c" SUBSEP "wall")
    best = -1; bt = "-"
    for (k = 1; k <= nt[c]; k++) {
      t = ts[c, k]
      if (t == "haul") continue
      m = median(c SUBSEP t SUBSEP "wall")
      if (m >= 0 && (best < 0 || m < best)) { best = m; bt = t }
    }
    ra = (h > 0 && a > 0) ? sprintf("%.2f×", h / a) : "n/a"
    rf = (h > 0 && best > 0) ? sprintf("%.2f×", h / best) : "n/a"
    met = (h > 0 && a > 0) ? ((h <= a) ? "met" : "not met") : "n/a"
    printf "| %s | %s | %s | %s | %s |\n", c, ra, rf, bt, met
  }
}'
