#!/usr/bin/python3
"""Trains the authors' reference implementation (its DenseNet [256, 256] and its flow-matching
loss, imported from the checkout at $GAF_DIR) on a joint table, samples it with classical RK4
(step 0.2 to t = 15, argmax read-out) and prints one JSON line with KL(target || model).

The settings are the ones efm's fidelity benchmark gives efm (bench/fidelity/fidelity.sh):
ray path, smoothing 0.01, magnitude 0.5, t ~ Gamma(1, rate 0.25), Adam.

    GAF_DIR=~/gaf reference_quality.py TABLE.pmf --steps 5000 --batch 512 --lr 5e-4 --seed 1

TABLE.pmf: efm's pmf format, one line per labeling: its n labels, then a weight."""
import argparse, itertools, json, os, sys, time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("table")
parser.add_argument("--steps", type=int, default=5000)
parser.add_argument("--batch", type=int, default=512)
parser.add_argument("--lr", type=float, default=5e-4)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--samples", type=int, default=64000)
parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "2")))
args = parser.parse_args()

sys.path.insert(0, os.environ["GAF_DIR"])
from omegaconf import OmegaConf  # noqa: E402  (the reference's configuration type)
import flow_matching, util  # noqa: E402
from architecture import DenseNet  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

weights = {}
with open(args.table) as f:
    for line in f:
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            key = tuple(int(x) for x in fields[:-1])
            weights[key] = weights.get(key, 0.0) + float(fields[-1])
n = len(next(iter(weights)))
c = 1 + max(max(k) for k in weights)
labelings = torch.tensor(list(itertools.product(range(c), repeat=n)))  # row-major order
target = torch.tensor([weights.get(tuple(x.tolist()), 0.0) for x in labelings])
target = target / target.sum()

settings = OmegaConf.create({"gamma_conc": 1.0, "gamma_rate": 0.25, "field_magnitude": 0.5})
net = DenseNet(c, n, [256, 256])
optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)


def data_batch(size):
    labels = labelings[torch.multinomial(target, size, replacement=True)]
    smoothed = 0.99 * torch.nn.functional.one_hot(labels, c).float() + 0.01 / c
    return smoothed.transpose(1, 2)  # [B, c, n]: the reference's class dimension is 1


start = time.perf_counter()
for _ in range(args.steps):
    loss = flow_matching.matching_step(data_batch(args.batch), net, settings, dim=1)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
train_seconds = time.perf_counter() - start

net.eval()
count, h = args.samples, 0.2
with torch.no_grad():
    def field(t, v):
        w = torch.softmax(v, dim=1)
        return util.mean_free(net(w, torch.full((count,), t)), dim=1)

    v = util.mean_free(torch.randn(count, c, n), dim=1)
    t = 0.0
    for _ in range(75):  # classical RK4 to t = 15
        k1 = field(t, v)
        k2 = field(t + h / 2, v + h / 2 * k1)
        k3 = field(t + h / 2, v + h / 2 * k2)
        k4 = field(t + h, v + h * k3)
        v = v + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        t += h
    labels = v.argmax(dim=1)  # [count, n]
index = torch.zeros(count, dtype=torch.long)
for i in range(n):
    index = index * c + labels[:, i]
counts = torch.bincount(index, minlength=c ** n).double()
p = target.double()
support = p > 0
# The estimator efm eval uses: half a count on every labeling the target needs that no
# sample hit, then renormalise (so that one empty cell does not make the KL infinite).
counts = counts + 0.5 * (support & (counts == 0)).double()
model = counts / counts.sum()
kl = float((p[support] * (p[support].log() - model[support].log())).sum())
print(json.dumps({"table": os.path.basename(args.table), "seed": args.seed, "steps": args.steps,
                  "train_s": round(train_seconds, 1), "samples": count, "kl_target_model": kl}))
