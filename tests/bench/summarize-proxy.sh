#!/bin/sh
# summarize-proxy.sh RAW.tsv… — medians and ratios of run-proxy.sh as
# markdown. Several raw files may be given: their runs are pooled.
#
# Rows are keyed WORKLOAD/PATH (PATH: direct, http, socks5). For each key
# and tool: median wall time, CPU time (user + sys), peak RSS, and for a
# proxied path the proxy's CPU time, peak RSS and accepted connections per
# run, over the runs whose output was verified ("ok"); failed runs are
# counted and shown, never averaged in. Then, from the medians of wall
# time: each tool's proxied ÷ direct time, and Haul ÷ each peer on every
# path (below 1 is faster).
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 RAW.tsv…" >&2; exit 2; }

grep -hv '^#' "$@" | grep -v '^case' | awk -F '\t' "$(cat "$here/runs.awk")"'
$8 == "ok" && NF >= 11 && $9 != "-" {
  vals[$1, $2, "pcpu"] = vals[$1, $2, "pcpu"] " " $9
  vals[$1, $2, "phwm"] = vals[$1, $2, "phwm"] " " $10
  vals[$1, $2, "pconn"] = vals[$1, $2, "pconn"] " " $11
}
function fmt(x, f) { return (x < 0) ? "" : sprintf(f, x) }
function wl(key) { return substr(key, 1, index(key, "/") - 1) }
function pth(key) { return substr(key, index(key, "/") + 1) }
END {
  order_tools("haul haul-x1 wget2 curl aria2c")
  print "| workload / path | tool | runs ok | median wall (s) | median CPU (s) | median peak RSS (MiB) | proxy CPU (s) | proxy peak RSS (MiB) | proxy connections |"
  print "|---|---|---|---|---|---|---|---|---|"
  for (i = 1; i <= nk; i++) {
    c = ks[i]
    if (!(wl(c) in seen_w)) { seen_w[wl(c)] = 1; ws[++nw] = wl(c) }
    if (!(pth(c) in seen_p)) { seen_p[pth(c)] = 1; ps[++np] = pth(c) }
    for (k = 1; k <= nt[c]; k++) {
      t = ts[c, k]
      if (!(t in seen_tool)) { seen_tool[t] = 1; tl[++ntl] = t }
      runs = (ok[c, t] + 0) "/" (ok[c, t] + bad[c, t])
      m = median(c SUBSEP t SUBSEP "wall")
      if (m < 0) { printf "| %s | %s | %s | failed | | | | | |\n", c, t, runs; continue }
      ph = median(c SUBSEP t SUBSEP "phwm")
      printf "| %s | %s | %s | %.2f | %.2f | %.1f | %s | %s | %s |\n", c, t, runs, m,
             median(c SUBSEP t SUBSEP "cpu"), median(c SUBSEP t SUBSEP "rss") / 1024,
             fmt(median(c SUBSEP t SUBSEP "pcpu"), "%.2f"), (ph < 0 ? "" : sprintf("%.1f", ph / 1024)),
             fmt(median(c SUBSEP t SUBSEP "pconn"), "%d")
    }
  }

  # through the proxy ÷ direct, per tool
  print ""
  hdr = "| workload | tool | direct (s)"; sep = "|---|---|---"
  for (p = 1; p <= np; p++) {
    if (ps[p] == "direct") continue
    hdr = hdr " | " ps[p] " (s) | " ps[p] " ÷ direct"; sep = sep "|---|---"
  }
  print hdr " |"; print sep "|"
  for (i = 1; i <= nw; i++) {
    w = ws[i]
    for (k = 1; k <= ntl; k++) {
      t = tl[k]
      d = median(w "/direct" SUBSEP t SUBSEP "wall")
      line = sprintf("| %s | %s | %s", w, t, (d < 0 ? "–" : sprintf("%.2f", d)))
      for (p = 1; p <= np; p++) {
        if (ps[p] == "direct") continue
        x = median(w "/" ps[p] SUBSEP t SUBSEP "wall")
        if (x < 0) { line = line " | – | –"; continue }
        line = line sprintf(" | %.2f | %s", x, (d > 0 ? sprintf("%.2f×", x / d) : "–"))
      }
      print line " |"
    }
  }

  # Haul ÷ each peer, per path
  print ""
  hdr = "| workload / path"; sep = "|---"
  for (k = 1; k <= ntl; k++) {
    if (tl[k] == "haul") continue
    hdr = hdr " | Haul ÷ " tl[k]; sep = sep "|---"
  }
  print hdr " |"; print sep "|"
  for (i = 1; i <= nk; i++) {
    c = ks[i]
    h = median(c SUBSEP "haul" SUBSEP "wall")
    line = "| " c
    for (k = 1; k <= ntl; k++) {
      t = tl[k]
      if (t == "haul") continue
      m = median(c SUBSEP t SUBSEP "wall")
      line = line " | " ((h > 0 && m > 0) ? sprintf("%.2f×", h / m) : "–")
    }
    print line " |"
  }
}'
