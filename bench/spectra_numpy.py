"""numpy.linalg.svd(compute_uv=False) of the matrices SpectraBenchmark analyses: resnet18's weights
(per kernel position, conv1 skipped as m = 3 < 10) and one 4096 x 4096 layer. Prints milliseconds
per set, the best of --repeat runs. Usage: /usr/bin/python3 bench/spectra_numpy.py [--repeat 2] [--json F]"""
import argparse
import json
import time

import numpy as np

RESNET18 = [(64, 3, 7, 7)] + [(64, 64, 3, 3)] * 4 + [
    (128, 64, 3, 3), (128, 128, 3, 3), (128, 64, 1, 1), (128, 128, 3, 3), (128, 128, 3, 3),
    (256, 128, 3, 3), (256, 256, 3, 3), (256, 128, 1, 1), (256, 256, 3, 3), (256, 256, 3, 3),
    (512, 256, 3, 3), (512, 512, 3, 3), (512, 256, 1, 1), (512, 512, 3, 3), (512, 512, 3, 3),
    (1000, 512)]


def matrices(shapes, rng):
    out = []
    for shape in shapes:
        if min(shape[0], shape[1]) < 10:
            continue
        fan_in = int(np.prod(shape[1:]))
        w = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        k = int(np.prod(shape[2:])) if len(shape) > 2 else 1
        out.append(np.ascontiguousarray(np.moveaxis(w.reshape(shape[0], shape[1], k), 2, 0)))  # [K, out, in]
    return out


def run(mats):
    t = time.perf_counter()
    for m in mats:
        np.linalg.svd(m, compute_uv=False)
    return (time.perf_counter() - t) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args()
    rng = np.random.default_rng(42)
    sets = {"resnet18": matrices(RESNET18, rng), "dense4096": matrices([(4096, 4096)], rng)}
    result = {}
    for name, mats in sets.items():
        run([np.ones((4, 64, 64))])  # warm the library
        result[name] = min(run(mats) for _ in range(a.repeat))
        print(f"numpy svd {name}: {result[name]:.0f} ms")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
