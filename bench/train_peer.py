#!/usr/bin/env python3
"""The PyTorch (Python) peer of bench_train: the same LeNet-5 and DeepSense as
SlimLab's (train/models/), trained the same way (Adam, cross-entropy, shuffled
mini-batches gathered from an in-memory tensor), same thread count.

  /usr/bin/python3 bench/train_peer.py --model lenet5 --batch 64 --threads 1 --steps 100
prints one line: model batch threads samples_per_second samples_per_cpu_second
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):
    # Caffe LeNet-5: conv 20 (5×5) → max 2 → conv 50 (5×5) → max 2 → fc 500 → ReLU → fc classes
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.fc1 = nn.Linear(800, 500)
        self.fc2 = nn.Linear(500, classes)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


class ConvStack(nn.Module):
    def __init__(self, cin, filters, stages, dropout):
        super().__init__()
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        for k, s, p in stages:
            self.convs.append(nn.Conv2d(cin, filters, (1, k), stride=(1, s), padding=(0, p)))
            self.bns.append(nn.BatchNorm2d(filters))
            cin = filters
        self.dropout = dropout

    def forward(self, x):
        for conv, bn in zip(self.convs, self.bns):
            x = F.relu(bn(conv(x)))
            if self.dropout > 0:
                x = F.dropout(x, self.dropout, self.training)
        return x


class DeepSense(nn.Module):
    # Same layout as train/models/deepsense_torch.cpp for input [S, T, F].
    def __init__(self, sensors, intervals, features, classes, filters=64, hidden=120, dropout=0.1):
        super().__init__()
        k1 = min(18, features)
        s1 = max(1, min(6, (features - k1) // 4))
        stages = [(k1, s1, 0)]
        length = (features - k1) // s1 + 1
        for _ in range(2):
            k = min(3, length)
            stages.append((k, 1, 0))
            length = length - k + 1
        self.sensor = nn.ModuleList([ConvStack(1, filters, stages, dropout) for _ in range(sensors)])
        self.merge = ConvStack(sensors * filters, filters, [(3, 1, 1)] * 3, 0.0)
        self.gru1 = nn.GRU(filters * length, hidden, batch_first=True)
        self.gru2 = nn.GRU(hidden, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)
        self.intervals, self.filters, self.length = intervals, filters, length

    def forward(self, x):
        b = x.shape[0]
        parts = [m(x.narrow(1, s, 1)) for s, m in enumerate(self.sensor)]
        x = self.merge(torch.cat(parts, 1))
        x = x.permute(0, 2, 1, 3).reshape(b, self.intervals, self.filters * self.length)
        x, _ = self.gru1(x)
        x, _ = self.gru2(x)
        return self.fc(x.mean(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, choices=["lenet5", "deepsense"])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    if a.model == "lenet5":
        shape, classes, model = (1, 28, 28), 10, LeNet5(10)
    else:
        shape, classes, model = (2, 20, 60), 6, DeepSense(2, 20, 60, 6)
    n = a.steps * a.batch
    x = torch.randn((n,) + shape)
    y = torch.randint(0, classes, (n,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    rate = cpu_rate = 0.0
    # Epoch 0 warms up; the best of the next a.repeats epochs is reported (this
    # machine's timings are noisy, the best epoch is the least disturbed one).
    for epoch in range(1 + a.repeats):
        perm = torch.randperm(n)
        loss_sum, correct = 0.0, 0
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(a.steps):
            idx = perm[i * a.batch:(i + 1) * a.batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad()
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            loss.backward()
            opt.step()
            # The same bookkeeping as SlimLab's trainer: running loss and accuracy.
            loss_sum += loss.item()
            correct += (logits.argmax(1) == yb).sum().item()
        if epoch > 0:
            rate = max(rate, n / (time.perf_counter() - t0))
            cpu_rate = max(cpu_rate, n / (time.process_time() - c0))
    print(f"{a.model} {a.batch} {a.threads} {rate:.1f} {cpu_rate:.1f}")


if __name__ == "__main__":
    main()
