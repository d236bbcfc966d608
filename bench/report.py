#!/usr/bin/python3
"""Turns bench/results/ (JMH JSON, pytorch_bench JSON, wrk output) into the README's Performance table."""
import json
import os
import platform
import re
import subprocess
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "bench/results"
MODELS = {"NET": "chapter's `net` 4-8-1, batch 2", "TIED": "tied 4-8-(8-8)x2-1, batch 2",
          "MLP784": "784-256-10, batch 64", "MLP1024": "1024-1024-1024-10, batch 128"}


def load(name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def jmh(name):
    """{(benchmark, model): (score, unit)}"""
    rows = {}
    for r in load(name):
        bench = r["benchmark"].rsplit(".", 1)[1]
        cls = r["benchmark"].rsplit(".", 2)[1]
        rows[(cls, bench, r.get("params", {}).get("model"))] = (r["primaryMetric"]["score"], r["primaryMetric"]["scoreUnit"])
    return rows


def us(score_unit):
    score, unit = score_unit
    return score * {"us/op": 1, "ms/op": 1e3, "ns/op": 1e-3}[unit]


def fmt(v):
    return f"{v / 1e3:.2f} ms" if v >= 1000 else f"{v:.2f} µs"


def mlp1024_flops():
    b, fwd = 128, 2 * 128 * (1024 * 1024 * 2 + 1024 * 10)
    return fwd, fwd * 3 - 2 * b * 1024 * 1024      # backward: dW and dX per layer, no dX for the input


def engine_table(jmh_rows, torch_rows, models, title):
    print(f"\n{title}\n")
    print("| model | paramlab forward | PyTorch forward | paramlab fwd+MSE+bwd | PyTorch fwd+MSE+bwd | ratio (fwd+bwd) |")
    print("|---|---|---|---|---|---|")
    for m in models:
        f = us(jmh_rows[("EngineBenchmark", "forward", m)])
        fb = us(jmh_rows[("EngineBenchmark", "forwardBackward", m)])
        tf, tfb = torch_rows[m]["forward_us"], torch_rows[m]["forward_backward_us"]
        print(f"| {MODELS[m]} | {fmt(f)} | {fmt(tf)} | {fmt(fb)} | {fmt(tfb)} | **{fb / tfb:.3f}×** |")
    f = us(jmh_rows[("EngineBenchmark", "forward", "MLP1024")])
    fb = us(jmh_rows[("EngineBenchmark", "forwardBackward", "MLP1024")])
    ff, fbf = mlp1024_flops()
    print(f"\n1024-wide GFLOP/s: paramlab forward {ff / f / 1e3:.0f}, forward+backward {fbf / fb / 1e3:.0f}; "
          f"PyTorch forward {ff / torch_rows['MLP1024']['forward_us'] / 1e3:.0f}, "
          f"forward+backward {fbf / torch_rows['MLP1024']['forward_backward_us'] / 1e3:.0f}")


def wrk(name):
    text = open(os.path.join(out, f"wrk-{name}.txt")).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def ms(p):
        v, u = re.search(rf"{p}%\s+([\d.]+)(us|ms|s)", text).groups()
        return float(v) * {"us": 1e-3, "ms": 1, "s": 1e3}[u]
    return rps, ms(50), ms(99)


def main():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    torch_v = subprocess.run(["/usr/bin/python3", "-c", "import torch; print(torch.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    blas = "?"
    log = os.path.join(out, "paramlab.log")
    if os.path.exists(log):
        m = re.search(r"BLAS: (.*)", open(log).read())
        blas = m.group(1) if m else "?"
    print(f"Machine: {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}; "
          f"Java {platform.python_version() and subprocess.run(['java', '-version'], capture_output=True, text=True).stderr.splitlines()[0]}; "
          f"PyTorch {torch_v}; paramlab BLAS: {blas}")
    rows = jmh("jmh.json")
    engine_table(rows, load("pytorch.json"), ["NET", "TIED", "MLP784", "MLP1024"],
                 "Engine, BLAS threads as the default (PyTorch: torch.set_num_threads(1), which does not bound OpenBLAS):")
    if os.path.exists(os.path.join(out, "jmh-1thread.json")):
        engine_table(jmh("jmh-1thread.json"), load("pytorch-1thread.json"), ["MLP784", "MLP1024"],
                     "Engine, one BLAS thread on both sides (OPENBLAS_NUM_THREADS=1):")
    print("\nTensor JSON (Jackson streaming codec):\n")
    print("| payload | render | parse |")
    print("|---|---|---|")
    print(f"| tensor [1000, 1000] (1M floats) | {fmt(us(rows[('JsonBenchmark', 'render1M', None)]))} "
          f"| {fmt(us(rows[('JsonBenchmark', 'parse1M', None)]))} |")
    print(f"| state dict, 25,171,968 parameters | {fmt(us(rows[('StateDictBenchmark', 'render25M', None)]))} "
          f"| {fmt(us(rows[('StateDictBenchmark', 'parse25M', None)]))} |")
    if os.path.exists(os.path.join(out, "wrk-paramlab.txt")):
        p, f = wrk("paramlab"), wrk("fastapi")
        print("\nHTTP, POST /forward of the chapter's X on `net`, wrk -t2 -c8 on loopback:\n")
        print("| service | requests/s | p50 | p99 |")
        print("|---|---|---|---|")
        print(f"| paramlab (java -jar, defaults) | {p[0]:.0f} | {p[1]:.2f} ms | {p[2]:.2f} ms |")
        print(f"| FastAPI + PyTorch (uvicorn, 1 worker) | {f[0]:.0f} | {f[1]:.2f} ms | {f[2]:.2f} ms |")
        print(f"\nHTTP ratio: **{p[0] / f[0]:.2f}×** the requests per second; paramlab p99 {p[2]:.2f} ms "
              f"({'under' if p[2] < 2 else 'NOT under'} 2 ms)")


main()
