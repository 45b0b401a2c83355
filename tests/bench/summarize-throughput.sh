#!/bin/sh
# summarize-throughput.sh RAW.tsv… — medians and ratios as a markdown table.
#
# For each workload and tool: the median wall time, CPU time (user + sys)
# and peak RSS over the runs whose output was verified ("ok"); runs that
# failed are counted and shown, never averaged in. Ratios compare medians
# of wall time: Haul / fastest peer and Haul / aria2c (below 1 is faster).
# Several raw files may be given: their runs are pooled.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 RAW.tsv…" >&2; exit 2; }

grep -hv '^#' "$@" | grep -v '^workload' | awk -F '\t' "$(cat "$here/runs.awk")"'
END {
  order_tools("haul wget2 curl aria2c")
  print "| workload | tool | runs ok | median wall (s) | median CPU (s) | median peak RSS (MiB) | wall / fastest |"
  print "|---|---|---|---|---|---|---|"
  for (i = 1; i <= nk; i++) {
    w = ks[i]; best = -1
    for (k = 1; k <= nt[w]; k++) {
      t = ts[w, k]
      mw[t] = median(w SUBSEP t SUBSEP "wall")
      if (mw[t] >= 0 && (best < 0 || mw[t] < best)) best = mw[t]
    }
    for (k = 1; k <= nt[w]; k++) {
      t = ts[w, k]
      runs = (ok[w, t] + 0) "/" (ok[w, t] + bad[w, t])
      if (mw[t] < 0) { printf "| %s | %s | %s | failed | | | |\n", w, t, runs; continue }
      printf "| %s | %s | %s | %.2f | %.2f | %.1f | %.2f× |\n", w, t, runs, mw[t],
             median(w SUBSEP t SUBSEP "cpu"), median(w SUBSEP t SUBSEP "rss") / 1024, mw[t] / best
    }
  }
  print ""
  print "| workload | Haul / fastest peer | fastest peer | Haul / aria2c | target met (≤ 1.2× fastest, < 1× aria2c) |"
  print "|---|---|---|---|---|"
  for (i = 1; i <= nk; i++) {
    w = ks[i]
    h = median(w SUBSEP "haul" SUBSEP "wall")
    a = median(w SUBSEP "aria2c" SUBSEP "wall")
    best = -1; bt = "-"
    for (k = 1; k <= nt[w]; k++) {
      t = ts[w, k]
      if (t == "haul") continue
      m = median(w SUBSEP t SUBSEP "wall")
      if (m >= 0 && (best < 0 || m < best)) { best = m; bt = t }
    }
    if (h < 0 || best <= 0) { printf "| %s | n/a | %s | n/a | n/a |\n", w, bt; continue }
    rp = h / best
    ra = (a > 0) ? sprintf("%.2f×", h / a) : "n/a"
    met = (rp <= 1.2 && (a <= 0 || h < a)) ? "yes" : "no"
    printf "| %s | %.2f× | %s | %s | %s |\n", w, rp, bt, ra, met
  }
}'
