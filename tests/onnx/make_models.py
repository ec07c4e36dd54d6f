#!/usr/bin/python3
"""PyTorch models exported with torch.onnx.export for SlimLab's ONNX import tests.

For each model NAME it writes, under --out:
  NAME.onnx      the model (dynamic batch axis, the opset given per model)
  NAME.in.bin    float32 inputs  [N, ...input shape]
  NAME.out.bin   float32 PyTorch logits [N, classes] of the model in eval mode
  NAME.txt       "N input_numel classes" (one line)
Run: /usr/bin/python3 tests/onnx/make_models.py --out DIR [--models lenet,resnet] [--n 8]
Needs torch and onnx (Debian: python3-torch, python3-onnx). Deterministic by seed.
"""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    """LeNet-5 style: conv-relu-pool ×2, x.view(x.size(0), -1) (a Shape subgraph), two dense."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class ResCNN(nn.Module):
    """A residual CNN: stem, an identity block and a strided block with a 1x1 shortcut (Add skips)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.block1 = Block(8, 8, 1)
        self.block2 = Block(8, 16, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.block2(self.block1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


class DSKws(nn.Module):
    """Depthwise-separable keyword-spotting CNN on [1, 20, 16] features (DS-CNN style)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, (5, 3), (2, 1), (2, 1))
        self.bn = nn.BatchNorm2d(16)
        self.dw = nn.Conv2d(16, 16, 3, 1, 1, groups=16, bias=False)
        self.dw_bn = nn.BatchNorm2d(16)
        self.pw = nn.Conv2d(16, 24, 1, bias=False)
        self.pw_bn = nn.BatchNorm2d(24)
        self.dw2 = nn.Conv2d(24, 24, 3, 1, 1, groups=24, bias=False)
        self.pw2 = nn.Conv2d(24, 24, 1)
        self.pool = nn.AvgPool2d(2)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(24, 7)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = F.relu(self.dw_bn(self.dw(x)))
        x = F.relu6(self.pw_bn(self.pw(x)))
        x = F.hardswish(self.pw2(self.dw2(x)))
        x = self.pool(x)
        x = torch.mean(x, dim=(2, 3))
        return self.fc(self.drop(x))


class DeepConvLSTM(nn.Module):
    """DeepConvLSTM-style HAR model on [6 channels, 100 steps], 7 classes (synthetic:har's shape):
    Conv1d ×2, LSTM, last step, dense."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(6, 16, 5, padding=2)
        self.bn1 = nn.BatchNorm1d(16)
        self.conv2 = nn.Conv1d(16, 16, 5, padding=2)
        self.lstm = nn.LSTM(16, 24, batch_first=True)
        self.fc = nn.Linear(24, 7)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.conv2(x))
        y, _ = self.lstm(x.permute(0, 2, 1))
        return self.fc(y[:, -1, :])


class Gru2(nn.Module):
    """A 2-layer GRU on [20 steps, 6 features], last step, dense → hard-tanh → dense → sigmoid."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 16, num_layers=2, batch_first=True)
        self.fc1 = nn.Linear(16, 12)
        self.fc2 = nn.Linear(12, 4)

    def forward(self, x):
        y, _ = self.gru(x)
        return torch.sigmoid(self.fc2(F.hardtanh(self.fc1(y[:, -1]))))


class ActNet(nn.Module):
    """One activation on the data path of a small Conv1d net on [4 channels, 16 steps], 6 classes:
    conv (weights ×4: pre-activations reach |x| > 3, so the bends and clamps are used) → act →
    flatten → dense (→ tail)."""

    def __init__(self, act, tail=None):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 3, padding=1)
        with torch.no_grad():
            self.conv.weight.mul_(4)
        self.act = act
        self.fc = nn.Linear(8 * 16, 6)
        self.tail = tail

    def forward(self, x):
        y = self.fc(torch.flatten(self.act(self.conv(x)), 1))
        return y if self.tail is None else self.tail(y)


class BinNet(nn.Module):
    """Two Conv1d branches of [4 channels, 16 steps] combined element-wise (a · b, a − b or
    a / σ(b), the divisor kept within (0.2, 0.8) by small weights) → flatten → dense, 6 classes."""

    def __init__(self, op):
        super().__init__()
        self.op = op
        self.a = nn.Conv1d(4, 8, 3, padding=1)
        self.b = nn.Conv1d(4, 8, 3, padding=1)
        if op == "div":
            with torch.no_grad():
                self.b.weight.mul_(0.1)
                self.b.bias.mul_(0.1)
        self.fc = nn.Linear(8 * 16, 6)

    def forward(self, x):
        a, b = self.a(x), self.b(x)
        y = a * b if self.op == "mul" else a - b if self.op == "sub" else a / torch.sigmoid(b)
        return self.fc(torch.flatten(y, 1))


class SENet(nn.Module):
    """A CNN on [1, 28, 28] with a squeeze-and-excitation block: x[16, 7, 7] * sigmoid(fc(mean(x)))[16, 1, 1]
    (a data-path Mul broadcasting a channel gate), flatten, dense, 10 classes."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.se1 = nn.Linear(16, 4)
        self.se2 = nn.Linear(4, 16)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        s = torch.sigmoid(self.se2(F.relu(self.se1(x.mean(dim=(2, 3))))))
        x = x * s.unsqueeze(-1).unsqueeze(-1)
        return self.fc(torch.flatten(x, 1))


class NormNet(nn.Module):
    """Constants on the data path of a Conv1d net on [4, 16], 6 classes: the input normalised inside
    forward ((x - mean) / std, per-channel [1, 4, 1] buffers), x * 0.5 + 1 after a ReLU, a conv
    scaled and shifted (* 2 - 0.25) and subtracted from a constant (1 - x)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.5, -0.2, 0.1, 0.3]).view(1, 4, 1))
        self.register_buffer("std", torch.tensor([2.0, 0.5, 1.5, 0.8]).view(1, 4, 1))
        self.conv = nn.Conv1d(4, 8, 3, padding=1)
        self.conv2 = nn.Conv1d(8, 8, 3, padding=1, bias=False)
        self.fc = nn.Linear(8 * 16, 6)

    def forward(self, x):
        x = (x - self.mean) / self.std
        x = F.relu(self.conv(x)) * 0.5 + 1.0
        x = 1.0 - (self.conv2(x) * 2.0 - 0.25)
        return self.fc(torch.flatten(x, 1))


class SeqBroadcast(nn.Module):
    """A GRU on [20 steps, 6 features] whose output y[20, 12] is centred and gated by its mean over
    time m[1, 12] (data-path Sub and Mul broadcasting a row), last step, dense, 5 classes."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 12, batch_first=True)
        self.fc = nn.Linear(12, 5)

    def forward(self, x):
        y, _ = self.gru(x)
        m = y.mean(dim=1, keepdim=True)
        z = (y - m) * torch.sigmoid(m)
        return self.fc(z[:, -1])
class BiGruHar(nn.Module):
    """A bidirectional GRU classifier on synthetic:har's [6 channels, 100 steps], 7 classes: Conv1d
    (stride 4: 25 steps) → ReLU → batch-first bidirectional GRU → last step → dense → ReLU → dense."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(6, 8, 5, stride=4, padding=2)
        self.gru = nn.GRU(8, 8, batch_first=True, bidirectional=True)
        self.fc1 = nn.Linear(16, 12)
        self.fc2 = nn.Linear(12, 7)

    def forward(self, x):
        y, _ = self.gru(F.relu(self.conv(x)).permute(0, 2, 1))
        return self.fc2(F.relu(self.fc1(y[:, -1])))


class BiLstmH(nn.Module):
    """A bidirectional LSTM on [20 steps, 6 features] whose last hidden states of both
    directions, h_n[-2] and h_n[-1], feed the classifier (5 classes)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(6, 8, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.fc(torch.cat((h[-2], h[-1]), 1))


class BiGru2(nn.Module):
    """A 2-layer bidirectional GRU on [20 steps, 6 features], last step, dense (5 classes)."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 8, num_layers=2, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        y, _ = self.gru(x)
        return self.fc(y[:, -1])


class RevGru(nn.Module):
    """A GRU on [20 steps, 6 features] whose first and last steps and last hidden state feed the
    classifier (5 classes). PyTorch cannot write direction = "reverse": the model is exported
    forward and its GRU node's direction set to "reverse" (reverse_gru below); the reference
    logits are the forward GRU run on the time-flipped input (flipped = True), whose outputs,
    flipped back, are ONNX's reverse Y and whose last state is ONNX's Y_h."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 8, batch_first=True)
        self.fc = nn.Linear(24, 5)
        self.flipped = False

    def forward(self, x):
        if self.flipped:
            y, h = self.gru(torch.flip(x, [1]))
            y = torch.flip(y, [1])
        else:
            y, h = self.gru(x)
        return self.fc(torch.cat((y[:, 0], y[:, -1], h[-1]), 1))


def reverse_gru(model, path):
    """Sets the direction of the GRU node of `path` to "reverse"; the reference is then the flipped run."""
    import onnx
    m = onnx.load(path)
    grus = [n for n in m.graph.node if n.op_type == "GRU"]
    assert len(grus) == 1, "expected one GRU node"
    grus[0].attribute.append(onnx.helper.make_attribute("direction", "reverse"))
    onnx.save(m, path)
    model.flipped = True


MODELS = {
    # name: (constructor, per-sample input shape, opset, keep BatchNormalization nodes)
    "lenet": (LeNet, (1, 28, 28), 13, False),
    "resnet": (ResCNN, (3, 32, 32), 11, True),
    "dskws": (DSKws, (1, 20, 16), 14, False),
    "convlstm": (DeepConvLSTM, (6, 100), 13, True),
    "gru2": (Gru2, (20, 6), 17, False),
    # one op each (tests/test_onnx_activations_torch.cpp)
    "tanh": (lambda: ActNet(nn.Tanh()), (4, 16), 13, False),
    "leakyrelu": (lambda: ActNet(nn.LeakyReLU(0.1)), (4, 16), 13, False),
    "hardsigmoid": (lambda: ActNet(nn.Hardsigmoid()), (4, 16), 14, False),
    "logsoftmax": (lambda: ActNet(nn.ReLU(), nn.LogSoftmax(dim=1)), (4, 16), 11, False),
    "mul": (lambda: BinNet("mul"), (4, 16), 13, False),
    "sub": (lambda: BinNet("sub"), (4, 16), 13, False),
    "div": (lambda: BinNet("div"), (4, 16), 14, False),
    # broadcasting Add / Sub / Mul / Div (tests/test_onnx_broadcast_torch.cpp)
    "se": (SENet, (1, 28, 28), 13, False),
    "norm": (NormNet, (4, 16), 13, False),
    "seqbc": (SeqBroadcast, (20, 6), 14, False),
    # reverse and bidirectional RNNs (tests/test_onnx_rnn_torch.cpp)
    "bigru": (BiGruHar, (6, 100), 13, False),
    "bilstm": (BiLstmH, (20, 6), 14, False),
    "bigru2": (BiGru2, (20, 6), 17, False),
    "revgru": (RevGru, (20, 6), 13, False),
}

# Models whose exported file is edited after export: fn(model, path), before the reference logits.
EDITS = {"revgru": reverse_gru}


def randomize_bn(model, gen):
    """Non-trivial running statistics and affine parameters, so BN import is tested."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d) or isinstance(m, nn.BatchNorm1d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.2)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def export(name, out_dir, n):
    ctor, shape, opset, keep_bn = MODELS[name]
    torch.manual_seed(1234)
    gen = torch.Generator().manual_seed(99)
    model = ctor()
    randomize_bn(model, gen)
    model.eval()
    x = torch.randn((n,) + tuple(shape), generator=gen)
    path = os.path.join(out_dir, name + ".onnx")
    torch.onnx.export(model, x[:2], path, opset_version=opset, input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=not keep_bn,
                      # PRESERVE (the model is in eval mode) keeps BN as its own node; EVAL folds it into the conv.
                      training=torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL)
    if name in EDITS:
        EDITS[name](model, path)
    with torch.no_grad():
        y = model(x)
    import onnx
    onnx.checker.check_model(onnx.load(path))
    x.numpy().astype("float32").tofile(os.path.join(out_dir, name + ".in.bin"))
    y.numpy().astype("float32").tofile(os.path.join(out_dir, name + ".out.bin"))
    with open(os.path.join(out_dir, name + ".txt"), "w") as f:
        f.write("%d %d %d\n" % (n, x[0].numel(), y.shape[1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--n", type=int, default=8)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(1)
    for name in a.models.split(","):
        if name not in MODELS:
            sys.exit("unknown model '%s' (known: %s)" % (name, ", ".join(MODELS)))
        export(name, a.out, a.n)


if __name__ == "__main__":
    main()
