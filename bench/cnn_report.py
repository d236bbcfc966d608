#!/usr/bin/python3
"""The table of bench/cnn.sh from its raw lines (bench/results/cnn.jsonl): times, ratios to PyTorch,
GFLOP/s against each side's sgemm peak at the same thread count, peak memory, the LeNet digits job.
GFLOP/s count the convolutions' and linear layers' multiply-adds (2 FLOPs each); forward+backward
counts 3x the forward's (the backward computes the input's and the weight's gradients)."""
import json
import os
import re
import sys

GOALS = {"resnet18": 1.0, "mobilenet_v2": 1.5}


def main():
    raw = sys.argv[1]
    rows = [json.loads(line) for line in open(raw) if line.strip().startswith("{")]
    flops = {(r["model"], r["batch"], r["size"]): r["forward_flops"] for r in rows if "forward_flops" in r}
    peak = {(r["side"], str(r["threads"])): r["gflops"] for r in rows if "sgemm" in r}
    times = {}
    for r in rows:
        if "forward_ms" in r:
            t = "1" if str(r["threads"]) == "1" else "all"
            times[(r["model"], r["batch"], r["size"], t, r["side"])] = r
    out = []
    out.append("| sgemm 1024³ | threads | paramlab GFLOP/s | PyTorch GFLOP/s |")
    out.append("|---|---|---|---|")
    for t in ("1", "all"):
        out.append(f"| | {t} | {fmt(peak_for(peak, 'paramlab', t))} | {fmt(peak_for(peak, 'pytorch', t))} |")
    out.append("")
    out.append("| model | batch, size | threads | paramlab fwd ms | PyTorch fwd ms | ratio | paramlab fwd+bwd ms | "
               "PyTorch fwd+bwd ms | ratio | goal | paramlab fwd+bwd GFLOP/s (% of its sgemm) | PyTorch GFLOP/s (%) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (model, batch, size) in flops:
        for t in ("1", "all"):
            pl = times.get((model, batch, size, t, "paramlab"))
            pt = times.get((model, batch, size, t, "pytorch"))
            if not pl or not pt:
                continue
            fb_flops = 3 * flops[(model, batch, size)]
            pl_peak = peak_for(peak, "paramlab", t)
            pt_peak = peak_for(peak, "pytorch", t)
            pl_g = fb_flops / pl["forward_backward_ms"] / 1e6
            pt_g = fb_flops / pt["forward_backward_ms"] / 1e6
            out.append(f"| {model} | {batch}, {size}×{size} | {t} | {pl['forward_ms']:.0f} | {pt['forward_ms']:.0f} | "
                       f"{pl['forward_ms'] / pt['forward_ms']:.2f}× | {pl['forward_backward_ms']:.0f} | "
                       f"{pt['forward_backward_ms']:.0f} | **{pl['forward_backward_ms'] / pt['forward_backward_ms']:.2f}×** | "
                       f"≤ {GOALS.get(model, 0):.1f}× | {pl_g:.1f} ({pct(pl_g, pl_peak)}) | {pt_g:.1f} ({pct(pt_g, pt_peak)}) |")
    out.append("")
    out.append("Times are the best round (each round ≥ 1/7 of the measurement); medians are in cnn.jsonl.")
    mem_pl = next((r for r in rows if r.get("side") == "paramlab" and "after_forward_mb" in r), None)
    mem_x = next((r for r in rows if "min_xmx_mb" in r), None)
    mem_pt = next((r for r in rows if r.get("side") == "pytorch" and "peak_growth_mb" in r), None)
    if mem_pl or mem_pt:
        out.append("")
        out.append("| resnet18, batch 8, 224×224, training forward+backward | MB |")
        out.append("|---|---|")
        if mem_pl:
            out.append(f"| paramlab: heap live after the forward − at rest (graph alive) | {mem_pl['after_forward_mb'] - mem_pl['rest_mb']:.0f} |")
            out.append(f"| paramlab: heap live at rest (model, input, JVM) | {mem_pl['rest_mb']:.0f} |")
        if mem_x:
            out.append(f"| paramlab: smallest -Xmx (64 MB steps) that completes it (whole heap) | {mem_x['min_xmx_mb']} |")
        if mem_pt:
            out.append(f"| PyTorch: max RSS growth over the forward+backward | {mem_pt['peak_growth_mb']:.0f} |")
        if mem_pl and mem_pt:
            ratio = (mem_pl["after_forward_mb"] - mem_pl["rest_mb"]) / mem_pt["peak_growth_mb"]
            out.append(f"| ratio (live after forward / PyTorch's growth), goal ≤ 1.5× | {ratio:.2f}× |")
    digits = os.path.join(os.path.dirname(raw), "digits-lenet.txt")
    if os.path.exists(digits):
        text = open(digits).read()
        best = re.search(r"best: pytorch ([\d.]+) ms, paramlab ([\d.]+) ms", text)
        rel = re.search(r"max relative difference of the step losses: (\S+)", text)
        acc = re.search(r"accuracy .*?: pytorch (\S+), paramlab (\S+)", text)
        if best:
            out.append("")
            out.append("| LeNet digits job (1,797 1×8×8 images, batch 32, 5 epochs, one thread) | PyTorch loop | paramlab job | ratio |")
            out.append("|---|---|---|---|")
            out.append(f"| wall time, best of 3, ms | {best.group(1)} | {best.group(2)} | "
                       f"{float(best.group(2)) / float(best.group(1)):.2f}× |")
            if acc:
                out.append(f"| accuracy after training | {acc.group(1)} | {acc.group(2)} | |")
            if rel:
                out.append(f"| largest relative difference of the 285 step losses | | {rel.group(1)} | |")
    print("\n".join(out))


def peak_for(peak, side, t):
    for (s, th), v in peak.items():
        if s == side and ((t == "1") == (th == "1")):
            return v
    return None


def pct(g, p):
    return f"{100 * g / p:.0f}%" if p else "?"


def fmt(v):
    return f"{v:.1f}" if v else "?"


if __name__ == "__main__":
    main()
