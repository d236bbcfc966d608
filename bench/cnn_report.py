#!/usr/bin/python3
"""The table of bench/cnn.sh from its raw lines (bench/results/cnn.jsonl): times, ratios to PyTorch,
GFLOP/s against each side's sgemm peak, peak memory, the LeNet digits job.

One thread: the work runs on the calling thread on both sides, so its CPU time (median round) is what
the work costs even on a busy machine, and the ratio of CPU times is the comparison that counts; wall
times (best round) are shown beside. All cores: wall times only (best round).
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
    sgemm = {(r["side"], one(r)): r for r in rows if "sgemm" in r}
    times = {(r["model"], r["batch"], r["size"], one(r), r["side"]): r for r in rows if "forward_ms" in r}
    out = ["| sgemm 1024³, GFLOP/s | paramlab (OpenBLAS via netlib JNI) | PyTorch (torch.mm) |", "|---|---|---|"]
    for t, label in ((True, "one thread, by CPU time"), (True, "one thread, by wall time (best round)"),
                     (False, "all cores, by wall time (best round)")):
        key = "gflops_cpu" if "CPU" in label else "gflops"
        out.append(f"| {label} | {fmt(sgemm.get(('paramlab', t), {}).get(key))} | {fmt(sgemm.get(('pytorch', t), {}).get(key))} |")
    out += ["", "One thread (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)); ms per call, CPU time (wall time):", "",
            "| model | batch, size | paramlab fwd | PyTorch fwd | ratio | paramlab fwd+bwd | PyTorch fwd+bwd | **ratio** | goal "
            "| GFLOP/s fwd+bwd paramlab (% of its sgemm) | PyTorch (%) |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for (model, batch, size) in flops:
        pl, pt = times.get((model, batch, size, True, "paramlab")), times.get((model, batch, size, True, "pytorch"))
        if not pl or not pt:
            continue
        fb = 3 * flops[(model, batch, size)]
        pl_g, pt_g = fb / pl["forward_backward_cpu_ms"] / 1e6, fb / pt["forward_backward_cpu_ms"] / 1e6
        pl_peak = sgemm.get(("paramlab", True), {}).get("gflops_cpu")
        pt_peak = sgemm.get(("pytorch", True), {}).get("gflops_cpu")
        out.append(f"| {model} | {batch}, {size}×{size} | {pl['forward_cpu_ms']:.0f} ({pl['forward_ms']:.0f}) | "
                   f"{pt['forward_cpu_ms']:.0f} ({pt['forward_ms']:.0f}) | {pl['forward_cpu_ms'] / pt['forward_cpu_ms']:.2f}× | "
                   f"{pl['forward_backward_cpu_ms']:.0f} ({pl['forward_backward_ms']:.0f}) | "
                   f"{pt['forward_backward_cpu_ms']:.0f} ({pt['forward_backward_ms']:.0f}) | "
                   f"**{pl['forward_backward_cpu_ms'] / pt['forward_backward_cpu_ms']:.2f}×** | ≤ {GOALS.get(model, 0):.1f}× | "
                   f"{pl_g:.1f} ({pct(pl_g, pl_peak)}) | {pt_g:.1f} ({pct(pt_g, pt_peak)}) |")
    out += ["", "All cores (paramlab: OpenBLAS's default, one thread per core; PyTorch: torch.set_num_threads(nproc)); "
            "ms per call, wall time (best round):", "",
            "| model | batch, size | paramlab fwd | PyTorch fwd | ratio | paramlab fwd+bwd | PyTorch fwd+bwd | ratio |",
            "|---|---|---|---|---|---|---|---|"]
    for (model, batch, size) in flops:
        pl, pt = times.get((model, batch, size, False, "paramlab")), times.get((model, batch, size, False, "pytorch"))
        if not pl or not pt:
            continue
        out.append(f"| {model} | {batch}, {size}×{size} | {pl['forward_ms']:.0f} | {pt['forward_ms']:.0f} | "
                   f"{pl['forward_ms'] / pt['forward_ms']:.2f}× | {pl['forward_backward_ms']:.0f} | {pt['forward_backward_ms']:.0f} | "
                   f"{pl['forward_backward_ms'] / pt['forward_backward_ms']:.2f}× |")
    mem_pl = next((r for r in rows if r.get("side") == "paramlab" and "after_forward_mb" in r), None)
    mem_x = next((r for r in rows if "min_xmx_mb" in r), None)
    mem_pt = next((r for r in rows if r.get("side") == "pytorch" and "peak_growth_mb" in r), None)
    if mem_pl or mem_pt:
        out += ["", "| resnet18, batch 8, 224×224, training forward+backward | MB |", "|---|---|"]
        if mem_pl:
            out.append(f"| paramlab: live heap after the forward (graph alive) − at rest | {mem_pl['after_forward_mb'] - mem_pl['rest_mb']:.0f} |")
            out.append(f"| paramlab: live heap at rest (model, input, JVM) | {mem_pl['rest_mb']:.0f} |")
        if mem_x:
            out.append(f"| paramlab: smallest -Xmx (64 MB steps) that completes it, whole heap | {mem_x['min_xmx_mb']} |")
            if mem_pl:
                out.append(f"| paramlab: that -Xmx − at rest (an upper bound of the peak) | {mem_x['min_xmx_mb'] - mem_pl['rest_mb']:.0f} |")
        if mem_pt:
            out.append(f"| PyTorch: max RSS growth over the forward+backward | {mem_pt['peak_growth_mb']:.0f} |")
        if mem_pl and mem_pt:
            low = (mem_pl["after_forward_mb"] - mem_pl["rest_mb"]) / mem_pt["peak_growth_mb"]
            high = (mem_x["min_xmx_mb"] - mem_pl["rest_mb"]) / mem_pt["peak_growth_mb"] if mem_x else None
            out.append(f"| ratio to PyTorch (goal ≤ 1.5×) | {low:.2f}× to {fmt(high, '.2f')}× |")
    digits = os.path.join(os.path.dirname(raw), "digits-lenet.txt")
    if os.path.exists(digits):
        text = open(digits).read()
        best = re.search(r"best: pytorch ([\d.]+) ms, paramlab ([\d.]+) ms", text)
        rel = re.search(r"max relative difference of the step losses: (\S+)", text)
        acc = re.search(r"accuracy .*?: pytorch (\S+), paramlab (\S+)", text)
        if best:
            out += ["", "| LeNet digits job (1,797 1×8×8 images, batch 32, 5 epochs, one thread) | PyTorch loop | paramlab job (HTTP) | ratio |",
                    "|---|---|---|---|",
                    f"| wall time, best of 3, ms | {best.group(1)} | {best.group(2)} | {float(best.group(2)) / float(best.group(1)):.2f}× |"]
            if acc:
                out.append(f"| accuracy after training | {acc.group(1)} | {acc.group(2)} | |")
            if rel:
                out.append(f"| largest relative difference of the 285 step losses | | {rel.group(1)} | |")
    print("\n".join(out))


def one(r):
    return str(r["threads"]) == "1"


def pct(g, p):
    return f"{100 * g / p:.0f}%" if p else "?"


def fmt(v, spec=".1f"):
    return format(v, spec) if v else "?"


if __name__ == "__main__":
    main()
