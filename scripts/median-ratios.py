#!/usr/bin/env python3
"""Agent/stock ratios from one or more Compare output directories (each holding stock.json and agent.json),
e.g. an AB run and a BA run (Compare --agent-first). With SampleTime results (Compare --sample) a side's
figure is the median invocation (p50); otherwise the median of the measured iterations. Prints per
benchmark each side's figure (the mean over the runs), the ratio (geometric mean of the runs' ratios) and
each run's own ratio (the spread); then the geometric mean and the largest ratio.
Usage: scripts/median-ratios.py DIR [DIR...]"""
import json, math, statistics, sys

def load(path):
    out = {}
    for r in json.load(open(path)):
        parts = r["benchmark"].split(".")
        name = parts[-2] + "." + parts[-1]
        pm = r["primaryMetric"]
        if r.get("mode") == "sample":
            out[name] = pm["scorePercentiles"]["50.0"]
        else:
            out[name] = statistics.median([v for fork in pm["rawData"] for v in fork])
    return out

def gmean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))

runs = [(load(d + "/stock.json"), load(d + "/agent.json")) for d in sys.argv[1:]]
names = [n for n in runs[0][0] if all(n in s and n in a for s, a in runs)]
print("%-44s %10s %10s %8s   %s" % ("benchmark (us/op)", "stock", "agent", "ratio", "per run"))
ratios = []
for n in names:
    each = [a[n] / s[n] for s, a in runs]
    r = gmean(each)
    ratios.append(r)
    print("%-44s %10.3f %10.3f %7.3fx   %s" % (n, statistics.mean(s[n] for s, _ in runs), statistics.mean(a[n] for _, a in runs),
                                             r, " ".join("%.3f" % e for e in each)))
print("%-44s %29.3fx   max %.3fx, %d kernels" % ("geomean", gmean(ratios), max(ratios), len(ratios)))
