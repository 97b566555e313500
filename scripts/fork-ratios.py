#!/usr/bin/env python3
"""Agent/stock ratios from the forks.tsv that CompareByFork writes (one row per fork: benchmark, side,
round, position in the round, p50, p0, unit, time). Per benchmark and side the median fork's p50; the ratio
of each agent side's median to stock's; each round's own ratio (the forks of one round ran back to back,
ABBA across rounds) as the spread; the ratio of the best invocations (p0 medians) beside it, which a busy
machine disturbs least. Then per agent side the geometric mean and the largest ratio.
Usage: scripts/fork-ratios.py FORKS.tsv [FORKS.tsv...]"""
import collections, math, statistics, sys

rows = collections.defaultdict(lambda: collections.defaultdict(dict))  # bench -> side -> round -> (p50, p0)
sides = []
for path in sys.argv[1:]:
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 6:
            continue
        bench, side, rnd, p50, p0 = f[0], f[1], int(f[2]), float(f[4]), float(f[5])
        rows[bench][side][(path, rnd)] = (p50, p0)
        if side not in sides:
            sides.append(side)

def gmean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))

agents = [s for s in sides if s != "stock"]
for agent in agents:
    print("%s/stock" % agent)
    print("%-44s %9s %9s %8s %8s   %s" % ("benchmark (us/op)", "stock p50", "agent p50", "ratio", "p0 ratio", "per round"))
    ratios = []
    for bench in sorted(rows):
        s, a = rows[bench].get("stock", {}), rows[bench].get(agent, {})
        common = sorted(set(s) & set(a))
        if not common:
            continue
        sm, am = statistics.median(v[0] for v in s.values()), statistics.median(v[0] for v in a.values())
        s0, a0 = statistics.median(v[1] for v in s.values()), statistics.median(v[1] for v in a.values())
        r = am / sm
        ratios.append(r)
        print("%-44s %9.3f %9.3f %7.3fx %7.3fx   %s" % (bench, sm, am, r, a0 / s0,
                                                   " ".join("%.2f" % (a[k][0] / s[k][0]) for k in common)))
    if ratios:
        print("%-44s %19s %7.3fx   max %.3fx, %d benchmarks, %d above 1.10x" % (
            "geomean", "", gmean(ratios), max(ratios), len(ratios), sum(1 for r in ratios if r > 1.10)))
    print()
