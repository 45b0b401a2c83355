# runs.awk — what summarize-throughput.sh and summarize-throttled.sh share:
# reading the raw TSV rows of a run script and taking medians. Prepended
# to each script's own END block (POSIX awk takes one program text).
#
# Row: KEY TOOL … WALL USER SYS RSS STATUS (columns 1, 2, 4, 5, 6, 7, 8).
# Fills: ks[1..nk] the keys (workloads or cases) in order of appearance;
# seen_t[key, tool]; ok[], bad[] run counts; vals[key, tool, "wall"|"cpu"|
# "rss"] the verified runs' values. order_tools(list) then fills
# ts[key, 1..nt[key]]: the tools of list in that order, then any other.
#
# SPDX-License-Identifier: GPL-3.0-or-later

function median(key,    n, i, j, t, a) {
  n = split(vals[key], a, " ")
  for (i = 2; i <= n; i++) {           # insertion sort, n is tiny
    t = a[i] + 0
    for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
    a[j + 1] = t
  }
  if (n == 0) return -1
  if (n % 2) return a[(n + 1) / 2] + 0
  return (a[n / 2] + a[n / 2 + 1]) / 2
}
function order_tools(list,    norder, order, known, i, k, key, t) {
  norder = split(list, order, " ")
  for (k = 1; k <= norder; k++) known[order[k]] = 1
  for (i = 1; i <= nk; i++) {
    key = ks[i]
    for (k = 1; k <= norder; k++) if ((key, order[k]) in seen_t) ts[key, ++nt[key]] = order[k]
    for (t in alltools) if ((key, t) in seen_t && !(t in known)) ts[key, ++nt[key]] = t
  }
}
{
  key = $1; tool = $2
  if (!(key in seen_k)) { seen_k[key] = 1; ks[++nk] = key }
  if (!((key, tool) in seen_t)) { seen_t[key, tool] = 1; alltools[tool] = 1 }
  if ($8 == "ok") {
    ok[key, tool]++
    vals[key, tool, "wall"] = vals[key, tool, "wall"] " " $4
    vals[key, tool, "cpu"] = vals[key, tool, "cpu"] " " ($5 + $6)
    vals[key, tool, "rss"] = vals[key, tool, "rss"] " " $7
  } else bad[key, tool]++
}
