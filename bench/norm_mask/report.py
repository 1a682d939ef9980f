#!/usr/bin/python3
"""Turns bench_step's CSV (and PyTorch's, maybe empty) into the tables of
bench/README.md, and writes throughput.dat for throughput.gp.
   report.py step.csv torch.csv OUTDIR"""
import csv
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1])))
torch = {(r["case"], int(r["threads"])): float(r["ms"]) for r in csv.DictReader(open(sys.argv[2]))}
outdir = sys.argv[3]
for r in rows:
    r["threads"] = int(r["threads"])
    r["ms"], r["floor_ms"] = float(r["ms"]), float(r["floor_ms"])
    r["elements"] = int(r["elements"])
paths = [p for p in ("scalar", "sse2", "avx2", "avx512") if any(r["path"] == p for r in rows)]
best = paths[-1]
threads = sorted({r["threads"] for r in rows if r["group"] != "scheduler"})
lo, hi = threads[0], threads[-1]
# A case is (group, label): the size series repeats one of the shapes.
by = {((r["group"], r["case"]), r["path"], r["threads"]): r for r in rows}
cases = []
for r in rows:
    if r["group"] != "scheduler" and (r["group"], r["case"]) not in cases:
        cases.append((r["group"], r["case"]))


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


print(f"Best path: {best}; threads: {lo} and {hi}. Ratios are to the floor timed in the same run.\n")
print(f"| case | ours ms ({lo} thr) | / floor | ours ms ({hi} thr) | / floor | {hi} vs {lo} thr: ours, floor "
      f"| scalar ms | PyTorch ms ({lo} / {hi} thr) | PyTorch / ours ({hi} thr) | step peak +KiB |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for case in cases:
    a, b = by.get((case, best, lo)), by.get((case, best, hi))
    s = by.get((case, "scalar", lo))
    ta, tb = torch.get((case[1], lo)), torch.get((case[1], hi))
    scale = f"{a['ms'] / b['ms']:.2f}x, {a['floor_ms'] / b['floor_ms']:.2f}x" if a and b and hi != lo else "-"
    peak = next((r["peak_extra_kib"] for r in rows
                 if (r["group"], r["case"]) == case and r["peak_extra_kib"] != "-1"), "-")
    print(f"| {case[0]}: {case[1]} | {fmt(a and a['ms'], 3)} | {fmt(a and a['ms'] / a['floor_ms'])} | {fmt(b and b['ms'], 3)} "
          f"| {fmt(b and b['ms'] / b['floor_ms'])} | {scale} | {fmt(s and s['ms'], 1)} "
          f"| {fmt(ta, 0)} / {fmt(tb, 0)} | {fmt(tb / b['ms'] if tb and b else None, 0)} | {peak} |")

print(f"\nEvery path, {lo} thread(s), step / floor:\n")
print("| case | " + " | ".join(paths) + " |")
print("| --- |" + " ---: |" * len(paths))
for case in cases:
    print(f"| {case[0]}: {case[1]} | " + " | ".join(fmt(by[(case, p, lo)]["ms"] / by[(case, p, lo)]["floor_ms"])
                                      if (case, p, lo) in by else "-" for p in paths) + " |")

sizes = [c for c in cases if c[0] == "size"]
if sizes:
    print(f"\nCost per element ({best}), ns, against size:\n")
    lines = []
    for t in threads:
        per = [by[(c, best, t)]["ms"] * 1e6 / by[(c, best, t)]["elements"] for c in sizes]
        mean = sum(per) / len(per)
        spread = max(abs(p - mean) / mean for p in per) * 100
        lines.append(f"| {t} | " + " | ".join(f"{p:.3f}" for p in per) + f" | {spread:.0f}% |")
    print("| threads | " + " | ".join(f"{by[(c, best, lo)]['elements'] / 1e6:.0f}M" for c in sizes) +
          " | max deviation from the mean |")
    print("| --- |" + " ---: |" * (len(sizes) + 1))
    print("\n".join(lines))
    with open(f"{outdir}/throughput.dat", "w") as f:
        f.write("elements " + " ".join(paths) + " floor\n")  # GB/s: 5 bytes per element / time, 1 thread
        for c in sizes:
            n = by[(c, best, lo)]["elements"]
            gbs = [5 * n / (by[(c, p, lo)]["ms"] * 1e6) for p in paths]
            f.write(f"{n} " + " ".join(f"{g:.3f}" for g in gbs) + f" {5 * n / (by[(c, best, lo)]['floor_ms'] * 1e6):.3f}\n")

for r in rows:
    if r["group"] == "scheduler":
        print(f"\nScheduler: one step over {r['case']}: {r['ms']:.3f} ms")
