#!/usr/bin/env python3
"""Agent/stock ratios of JMH medians from one or more Compare output directories (each holding stock.json
and agent.json), e.g. an AB run and a BA run (Compare --agent-first). Prints, per benchmark, the median of
every measured iteration on each side, their ratio, and the ratio of each directory alone (the spread);
then the geometric mean and the largest ratio.
Usage: scripts/median-ratios.py DIR [DIR...]"""
import json, math, statistics, sys

def load(path):
    out = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
        out[name] = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
    return out

dirs = sys.argv[1:]
runs = [(load(d + "/stock.json"), load(d + "/agent.json")) for d in dirs]
names = [n for n in runs[0][0] if all(n in s and n in a for s, a in runs)]
print("%-44s %10s %10s %8s   %s" % ("benchmark (median us/op)", "stock", "agent", "ratio", "per run"))
ratios = []
for n in names:
    s = statistics.median([v for st, _ in runs for v in st[n]])
    a = statistics.median([v for _, ag in runs for v in ag[n]])
    each = ["%.3f" % (statistics.median(ag[n]) / statistics.median(st[n])) for st, ag in runs]
    ratios.append(a / s)
    print("%-44s %10.3f %10.3f %7.3fx   %s" % (n, s, a, a / s, " ".join(each)))
g = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
print("%-44s %29.3fx   max %.3fx, %d kernels" % ("geomean of medians", g, max(ratios), len(ratios)))
