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

[ $# -ge 1 ] || { echo "usage: $0 RAW.tsv…" >&2; exit 2; }

grep -h '^# limit check' "$@" | sed -e 's/^# /- /' || true
echo

grep -hv '^#' "$@" | grep -v '^case' | awk -F '\t' '
function median(key,    n, i, j, t, a) {
  n = split(vals[key], a, " ")
  for (i = 2; i <= n; i++) {
    t = a[i] + 0
    for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
    a[j + 1] = t
  }
  if (n == 0) return -1
  if (n % 2) return a[(n + 1) / 2] + 0
  return (a[n / 2] + a[n / 2 + 1]) / 2
}
function rate_bytes(r) {
  if (r ~ /[kK]$/) return substr(r, 1, length(r) - 1) * 1024
  if (r ~ /[mM]$/) return substr(r, 1, length(r) - 1) * 1048576
  return r + 0
}
{
  c = $1; tool = $2
  if (!(c in seen_c)) { seen_c[c] = 1; cs[++nc] = c }
  if (!((c, tool) in seen_t)) { seen_t[c, tool] = 1; alltools[tool] = 1 }
  if ($8 == "ok") {
    ok[c, tool]++
    vals[c, tool, "wall"] = vals[c, tool, "wall"] " " $4
    vals[c, tool, "cpu"] = vals[c, tool, "cpu"] " " ($5 + $6)
    vals[c, tool, "rss"] = vals[c, tool, "rss"] " " $7
  } else bad[c, tool]++
}
END {
  norder = split("haul aria2c wget2 curl", order, " ")
  for (i = 1; i <= nc; i++) {
    c = cs[i]
    for (k = 1; k <= norder; k++) if ((c, order[k]) in seen_t) ts[c, ++nt[c]] = order[k]
    for (t in alltools) if ((c, t) in seen_t && t !~ /^(haul|aria2c|wget2|curl)$/) ts[c, ++nt[c]] = t
  }
  print "| case (rate : MiB) | size ÷ rate (s) | tool | runs ok | median wall (s) | MiB/s | speed-up over curl | median CPU (s) | median peak RSS (MiB) |"
  print "|---|---|---|---|---|---|---|---|---|"
  for (i = 1; i <= nc; i++) {
    c = cs[i]
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
  for (i = 1; i <= nc; i++) {
    c = cs[i]
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
