#!/usr/bin/python3
"""Times the authors' reference implementation (imported from the checkout at $GAF_DIR) on the
workloads that efm_bench_speed times efm on, and prints one JSON line per workload:
{"workload": KEY, "value": NUMBER, "unit": "steps/s" or "s"}. efm_bench_speed starts it when
GAF_DIR is set and reports efm's figures as ratios of these, measured in the same session.

Workloads (the reference's own networks, flow-matching loss and RK4 sampler, Adam 3e-4):
  mlp_train        DenseNet [256, 256] on the coupled-binary table, batch 512
  cnn_train        DirichletCNN on the class-scaling toy K = 160, n = 4, batch 128
  toy_sample_300   16,000 coupled-binary labelings, RK4 step 0.2 to t = 15 (300 evaluations)
  unet_train       U-Net 32 channels, multipliers 1,2,2,2, 8 classes, 64 x 128 maps, batch 4
  unet_sample_300  4 maps of that U-Net, RK4 step 0.2 to t = 15

    GAF_DIR=~/gaf gaf_speed.py [--threads 2] [--quick] [WORKLOAD ...]"""
import argparse, json, os, sys, time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("workloads", nargs="*")
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--quick", action="store_true", help="fewer steps and a coarse sampler")
args = parser.parse_args()

sys.path.insert(0, os.environ["GAF_DIR"])
from omegaconf import OmegaConf  # noqa: E402  (the reference's configuration type)
import flow_matching, util  # noqa: E402
from architecture import DenseNet, DirichletCNN, UNet  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)
settings = OmegaConf.create({"gamma_conc": 1.0, "gamma_rate": 0.25, "field_magnitude": 0.5})
chosen = set(args.workloads or ["mlp_train", "cnn_train", "toy_sample_300", "unet_train",
                                "unet_sample_300"])


def report(workload, value, unit):
    print(json.dumps({"workload": workload, "value": round(value, 4), "unit": unit}), flush=True)


def smoothed(labels, classes, class_dim):
    """One-hot labels [B, n] smoothed as in training, classes moved to `class_dim`."""
    w = 0.99 * torch.nn.functional.one_hot(labels, classes).float() + 0.01 / classes
    return w.movedim(-1, class_dim)


def steps_per_second(net, batch_of, steps, class_dim):
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-4)
    net.train()

    def step():
        loss = flow_matching.matching_step(batch_of(), net, settings, dim=class_dim)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(3):  # warm-up: allocation, oneDNN's kernel choice
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def rk4_seconds(net, shape, class_dim, step=0.2, t_end=15.0):
    """Classical RK4 on the logits from noise, as the reference samples."""
    net.eval()
    with torch.no_grad():
        def field(t, v):
            w = torch.softmax(v, dim=class_dim)
            return util.mean_free(net(w, torch.full((shape[0],), t)), dim=class_dim)

        start = time.perf_counter()
        v = util.mean_free(torch.randn(shape), dim=class_dim)
        t = 0.0
        while t < t_end - 1e-9:
            k1 = field(t, v)
            k2 = field(t + step / 2, v + step / 2 * k1)
            k3 = field(t + step / 2, v + step / 2 * k2)
            k4 = field(t + step, v + step * k3)
            v = v + step / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            t += step
        torch.softmax(v, dim=class_dim).argmax(class_dim)
        return time.perf_counter() - start


sample_step = 1.5 if args.quick else 0.2
coupled = torch.tensor([0.45, 0.05, 0.05, 0.45])
if chosen & {"mlp_train", "toy_sample_300"}:
    dense = DenseNet(2, 2, [256, 256])

    def coupled_batch(size=512):
        cell = torch.multinomial(coupled, size, replacement=True)
        return smoothed(torch.stack([cell // 2, cell % 2], 1), 2, 1)  # [B, c, n]

    if "mlp_train" in chosen:
        report("mlp_train", steps_per_second(dense, coupled_batch, 40 if args.quick else 300, 1),
               "steps/s")
    if "toy_sample_300" in chosen:
        report("toy_sample_300", rk4_seconds(dense, (16000, 2, 2), 1, sample_step), "s")
if "cnn_train" in chosen:
    K = 160
    marginals = torch.softmax(torch.rand(4, K), -1)
    cnn = DirichletCNN(K)
    cnn.forward_count, cnn.channel_dim = 0, 2  # set in Vectorfield.__init__, which it skips

    def kscaling_batch():
        labels = torch.stack([torch.multinomial(marginals[i], 128, replacement=True)
                              for i in range(4)], 1)
        return smoothed(labels, K, 2)  # [B, n, c]

    report("cnn_train", steps_per_second(cnn, kscaling_batch, 10 if args.quick else 60, 2),
           "steps/s")
if chosen & {"unet_train", "unet_sample_300"}:
    unet = UNet(image_size=64, in_channels=8, model_channels=32, out_channels=8,
                num_res_blocks=2, attention_resolutions=[16], channel_mult=[1, 2, 2, 2])

    def map_batch():
        return smoothed(torch.randint(0, 8, (4, 64, 128)), 8, 1)  # [B, c, H, W]

    if "unet_train" in chosen:
        report("unet_train", steps_per_second(unet, map_batch, 3 if args.quick else 12, 1),
               "steps/s")
    if "unet_sample_300" in chosen:
        report("unet_sample_300", rk4_seconds(unet, (4, 8, 64, 128), 1, sample_step), "s")
