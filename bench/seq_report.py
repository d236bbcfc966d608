#!/usr/bin/python3
"""The table of bench/seq.sh from its raw lines (bench/results/seq.jsonl): times of the LSTM language
model and the transformer encoder on both sides with their ratios, and the character-level job's
tokens per second. One thread: ratios of CPU times (median round), the cost of the work even on a
busy machine; wall times (best round) beside. All cores: wall times only (best round)."""
import json
import sys

LABELS = {"lstm_lm": "LSTM LM (Embedding 64×256, LSTM 256×2 layers, Linear)", "transformer": "TransformerEncoder (4 × d 256, 4 heads, ff 1024)"}


def one(r):
    return str(r["threads"]) == "1"


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]
    times = {(r["model"], one(r), r["side"]): r for r in rows if "forward_ms" in r}
    out = ["One thread (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)); ms per call, CPU time (wall time):", "",
           "| model | batch × steps | paramlab fwd | PyTorch fwd | ratio | paramlab fwd+bwd | PyTorch fwd+bwd | **ratio** | goal |",
           "|---|---|---|---|---|---|---|---|---|"]
    for model in LABELS:
        pl, pt = times.get((model, True, "paramlab")), times.get((model, True, "pytorch"))
        if pl and pt:
            out.append(f"| {LABELS[model]} | {pl['shape'].replace('x', ' × ')} | {pl['forward_cpu_ms']:.0f} ({pl['forward_ms']:.0f}) | "
                       f"{pt['forward_cpu_ms']:.0f} ({pt['forward_ms']:.0f}) | {pl['forward_cpu_ms'] / pt['forward_cpu_ms']:.2f}× | "
                       f"{pl['forward_backward_cpu_ms']:.0f} ({pl['forward_backward_ms']:.0f}) | "
                       f"{pt['forward_backward_cpu_ms']:.0f} ({pt['forward_backward_ms']:.0f}) | "
                       f"**{pl['forward_backward_cpu_ms'] / pt['forward_backward_cpu_ms']:.2f}×** | ≤ 1.0× |")
    out += ["", "All cores (paramlab: OpenBLAS's default; PyTorch: torch.set_num_threads(nproc)); ms per call, wall time (best round):", "",
            "| model | paramlab fwd | PyTorch fwd | ratio | paramlab fwd+bwd | PyTorch fwd+bwd | ratio |", "|---|---|---|---|---|---|---|"]
    for model in LABELS:
        pl, pt = times.get((model, False, "paramlab")), times.get((model, False, "pytorch"))
        if pl and pt:
            out.append(f"| {LABELS[model]} | {pl['forward_ms']:.0f} | {pt['forward_ms']:.0f} | {pl['forward_ms'] / pt['forward_ms']:.2f}× | "
                       f"{pl['forward_backward_ms']:.0f} | {pt['forward_backward_ms']:.0f} | "
                       f"{pl['forward_backward_ms'] / pt['forward_backward_ms']:.2f}× |")
    job = next((r for r in rows if r.get("job") == "char_lstm"), None)
    if job:
        out += ["", f"| character-level LSTM job ({job['chars']} characters of {job['text']}, vocab {job['vocab']}, "
                    f"{job['steps']} steps, one thread) | PyTorch loop | paramlab job (HTTP) | ratio |", "|---|---|---|---|",
                f"| tokens per second (best of {len(job['pytorch_seconds'])}) | {job['pytorch_tokens_per_s']:.0f} | "
                f"{job['paramlab_tokens_per_s']:.0f} | {job['paramlab_tokens_per_s'] / job['pytorch_tokens_per_s']:.2f}× (goal ≥ 1.0×) |",
                f"| seconds per run | {', '.join(f'{s:.2f}' for s in job['pytorch_seconds'])} | "
                f"{', '.join(f'{s:.2f}' for s in job['paramlab_job_seconds'])} | |",
                f"| largest relative difference of the step losses | | {job['max_rel_step_loss_diff']:.2e} | |"]
    print("\n".join(out))


if __name__ == "__main__":
    main()
