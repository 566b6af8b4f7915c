#!/usr/bin/python3
"""One deviation at a time (docs/RESULTS.md, "Ablation"): trains efm's default network with one
setting changed, at the reference's budget (batch 512, Adam lr 5e-4, 5000 steps, ray path),
on several targets and seeds, and reports the mean KL with its standard error per variant.

    ablation.py [--variants baseline,relu,...] [--targets coupled,potts3,...] [--seeds 3]
                [--steps 5000] [--threads 1] [--workers 1] [--out bench-results/ablation]

Targets: joint tables scored by KL(target || model) from 64,000 samples (coupled-binary,
potts3: a 3-variable 3-class Potts chain with coupling 2, dirichlet: toy:dirichlet with
alpha 0.5, 3 variables of 4 classes), and the class-scaling toy at K = 40 and 160 scored by
the per-position marginal KL from 20,000 samples. A variant is a partial run configuration
(what --config takes) and, for the sampler's NFE, a step for `efm eval --step`: those
variants reuse the baseline's trained runs. Results are appended to OUT/ablation.csv; rows
already there are not run again, so an interrupted ablation continues where it stopped."""
import argparse, concurrent.futures, csv, json, math, os, subprocess, sys, time

from tables import write_tables

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# name -> (configuration overrides, eval step or None, what it changes)
VARIANTS = {
    # The MLP as it was before this ablation: SiLU (ReLU is the default since).
    "baseline": ({}, None, "the earlier default (SiLU)"),
    "freq-1": ({"network": {"max_frequency": 1.0}}, None, "time features up to 1 cycle per unit"),
    "freq-16": ({"network": {"max_frequency": 16.0}}, None, "time features up to 16 cycles"),
    "raw-t": ({"network": {"time_input": "raw"}}, None, "raw t appended instead of Fourier features"),
    "relu": ({"network": {"activation": "relu"}}, None, "ReLU instead of SiLU (the default now)"),
    "gelu": ({"network": {"activation": "gelu"}}, None, "GELU instead of SiLU"),
    "log-probs": ({"network": {"input": "log-probabilities"}}, None, "input log W"),
    "centred-logits": ({"network": {"input": "centred-logits"}}, None,
                       "input log W minus its mean per node"),
    "batch-norm": ({"network": {"norm": "batch"}}, None, "batch normalisation before each linear"),
    "layer-norm": ({"network": {"norm": "layer"}}, None, "layer normalisation before each linear"),
    "gamma-2-0.5": ({"path": {"gamma_shape": 2.0, "gamma_rate": 0.5}}, None,
                    "t ~ Gamma(2, rate 0.5): same mean 4, less spread"),
    "gamma-1-0.5": ({"path": {"gamma_rate": 0.5}}, None, "t ~ Gamma(1, rate 0.5): mean 2"),
    "gamma-1-0.125": ({"path": {"gamma_rate": 0.125}}, None, "t ~ Gamma(1, rate 0.125): mean 8"),
    "nfe-60": ({}, 1.0, "RK4 step 1.0 (60 evaluations instead of 300)"),
    "nfe-120": ({}, 0.5, "RK4 step 0.5 (120 evaluations)"),
    "dense": ({"network": {"kind": "dense"}}, None, "the reference's dense net"),
    # Two deviations together, where single ones point the same way.
    "batch-norm+relu": ({"network": {"norm": "batch", "activation": "relu"}}, None,
                        "batch normalisation and ReLU"),
    "batch-norm+raw-t": ({"network": {"norm": "batch", "time_input": "raw"}}, None,
                         "batch normalisation and raw t"),
    "layer-norm+relu": ({"network": {"norm": "layer", "activation": "relu"}}, None,
                        "layer normalisation and ReLU"),
}

TARGETS = {
    "coupled": ("pmf:{out}/coupled.pmf", "kl_target_model", 64000),
    "potts3": ("pmf:{out}/potts3.pmf", "kl_target_model", 64000),
    "dirichlet": ("toy:dirichlet?alpha=0.5", "kl_target_model", 64000),
    "kscaling40": ("toy:kscaling?K=40", "marginal_kl", 20000),
    "kscaling160": ("toy:kscaling?K=160", "marginal_kl", 20000),
}


# Every variant of the MLP changes one thing of the network as it was before this ablation
# (SiLU), so that the variants compare with the baseline and not with each other's default.
EARLIER_DEFAULT = {"network": {"activation": "silu"}}


def configuration(variant):
    overrides = VARIANTS[variant][0]
    if overrides.get("network", {}).get("kind", "mlp") != "mlp":
        return overrides
    merged = {group: dict(values) for group, values in EARLIER_DEFAULT.items()}
    for group, values in overrides.items():
        merged.setdefault(group, {}).update(values)
    return merged


def run_dir(out, variant, target, seed):
    return os.path.join(out, "runs", "%s-%s-%d" % (variant, target, seed))


def one_cell(args, variant, target, seed):
    overrides, step, _ = VARIANTS[variant]
    spec, metric, samples = TARGETS[target]
    spec = spec.format(out=args.out)
    threads = str(args.threads)
    trained = run_dir(args.out, "baseline" if step is not None else variant, target, seed)
    train_s = 0.0
    if step is None:
        config = os.path.join(args.out, "configs", variant + ".json")
        subprocess.run(["rm", "-rf", trained], check=True)
        start = time.time()
        subprocess.run([args.efm, "train", "--data", spec, "--out", trained, "--config", config,
                        "--batch", "512", "--lr", "5e-4", "--steps", str(args.steps),
                        "--seed", str(seed), "--threads", threads, "--checkpoint-seconds", "0"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        train_s = time.time() - start
    command = [args.efm, "eval", "--run", trained, "--samples", str(samples), "--seed",
               str(seed), "--threads", threads]
    if step is not None:
        command += ["--step", str(step)]
    report = json.loads(subprocess.run(command, check=True, capture_output=True,
                                       text=True).stdout)
    return {"variant": variant, "target": target, "seed": seed, "steps": args.steps,
            "train_s": round(train_s, 1), "kl": report[metric]}


def summarise(rows, variants, targets):
    cells = {}
    for row in rows:
        cells.setdefault((row["variant"], row["target"]), []).append(float(row["kl"]))

    def text(values):
        if not values:
            return ""
        mean = sum(values) / len(values)
        if len(values) < 2:
            return "%.4f" % mean
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
        return "%.4f ± %.4f" % (mean, sd / math.sqrt(len(values)))

    lines = ["| variant | what changes | " + " | ".join(targets) + " |",
             "|---|---|" + "---:|" * len(targets)]
    for v in variants:
        lines.append("| %s | %s | " % (v, VARIANTS[v][2]) +
                     " | ".join(text(cells.get((v, t), [])) for t in targets) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", default="bench-results/ablation")
    parser.add_argument("--efm", default=os.environ.get("EFM", os.path.join(ROOT, "build/bin/efm")))
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    targets = [t for t in args.targets.split(",") if t]
    for name, known in ((variants, VARIANTS), (targets, TARGETS)):
        for item in name:
            if item not in known:
                sys.exit("ablation: unknown '%s' (known: %s)" % (item, ", ".join(known)))
    os.makedirs(os.path.join(args.out, "configs"), exist_ok=True)
    write_tables(args.out)
    for v in variants:
        with open(os.path.join(args.out, "configs", v + ".json"), "w") as f:
            json.dump(configuration(v), f)

    results = os.path.join(args.out, "ablation.csv")
    fields = ["variant", "target", "seed", "steps", "train_s", "kl"]
    done = []
    if os.path.exists(results):
        done = list(csv.DictReader(open(results)))
    have = {(r["variant"], r["target"], int(r["seed"]), int(r["steps"])) for r in done}
    # Variants that train first, so that the evaluation-only ones find the baseline's runs.
    order = sorted(variants, key=lambda v: VARIANTS[v][1] is not None)
    # Target by target, so that an early look at the results compares every variant.
    todo = [(v, t, s) for t in targets for v in order for s in range(1, args.seeds + 1)
            if (v, t, s, args.steps) not in have]
    if any(VARIANTS[v][1] is not None for v, _, _ in todo):
        for t in targets:
            for s in range(1, args.seeds + 1):
                if not os.path.exists(run_dir(args.out, "baseline", t, s)) and \
                        "baseline" not in variants:
                    sys.exit("ablation: the NFE variants need the baseline's runs; add baseline")
    new_file = not os.path.exists(results)
    with open(results, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        if new_file:
            writer.writeheader()
        trained = [c for c in todo if VARIANTS[c[0]][1] is None]
        evaluated = [c for c in todo if VARIANTS[c[0]][1] is not None]
        for batch in (trained, evaluated):
            with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
                for row in pool.map(lambda c: one_cell(args, *c), batch):
                    writer.writerow(row)
                    f.flush()
                    done.append(row)
                    print("%(variant)s %(target)s seed %(seed)s: KL %(kl).5f (train %(train_s)s s)"
                          % row, flush=True)
    rows = [r for r in done if int(r["steps"]) == args.steps]
    table = summarise(rows, variants, targets)
    with open(os.path.join(args.out, "ablation.md"), "w") as f:
        f.write(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
