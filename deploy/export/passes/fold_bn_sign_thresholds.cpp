// BNN layers: packed signs in, XOR + popcount, and the chain after them folded into
// per-channel thresholds (passes.h).
#include <algorithm>
#include <cmath>

#include "compress/quant/fold_batchnorm.h"
#include "deploy/export/passes/passes.h"

namespace slimlab::deploy::passes {

using ir::LayerKind;
using slimrt::DType;

namespace {

// Whether a sign layer's output is packed: binary export, float activations, and every
// reader a binary dense (1-D input) or conv2d (groups 1, [C, H, W] input).
bool packs(ExportGraph& g, const ExportLayer& sign) {
  if (!g.pack_binary || g.fixed) return false;
  const std::vector<ExportLayer*> readers = g.readers(sign.layer.name);
  if (readers.empty()) return false;
  const std::vector<int64_t>& s = sign.layer.output_shape;
  for (const ExportLayer* r : readers) {
    const ir::Layer& l = r->layer;
    if (!binary_weight(l) || l.inputs.at(0) != sign.layer.name) return false;
    if (l.kind == LayerKind::kDense && s.size() == 1) continue;
    if (l.kind == LayerKind::kConv2d && l.groups == 1 && s.size() == 3) continue;
    return false;
  }
  return true;
}

// A packed value: channels last ([C, H, W] → [H, W, C]; [C] stays).
std::vector<int64_t> channels_last(const std::vector<int64_t>& s) {
  std::vector<int64_t> out(s.begin() + 1, s.end());
  out.push_back(s.at(0));
  return out;
}

void mark_packed(ExportLayer& l, std::vector<int64_t> shape) {
  l.ann.out = {DType::BIN, 0, 0};
  l.ann.shape = std::move(shape);
  l.ann.out_chosen = true;
}

// The readers' chain from a binary layer to a packed sign: batch norms, ReLUs, dropout
// and (conv2d) one max pool, each the only reader of the one before.
struct Chain {
  std::vector<const ExportLayer*> layers;  // without the sign
  const ExportLayer* sign = nullptr;
  const ExportLayer* pool = nullptr;
};

Chain chain_to_sign(ExportGraph& g, const ExportLayer& l) {
  Chain c;
  for (const ExportLayer* cur = &l;;) {
    const std::vector<ExportLayer*> rs = g.readers(cur->layer.name);
    if (rs.size() != 1) break;
    const ExportLayer* r = rs[0];
    const LayerKind k = r->layer.kind;
    if (k == LayerKind::kSign) {
      if (packs(g, *r)) c.sign = r;
      break;
    }
    if (k == LayerKind::kMaxPool2d && l.layer.kind == LayerKind::kConv2d && !c.pool) {
      c.pool = r;
    } else if (k != LayerKind::kBatchNorm && k != LayerKind::kRelu && k != LayerKind::kDropout) {
      break;
    }
    c.layers.push_back(r);
    cur = r;
  }
  return c;
}

// One channel's sign(chain(b + H·acc)) over acc ∈ [−n, n] (1 = non-negative), in double
// as the reference evaluator computes it. False when a BN does not have O channels.
bool signs_of(const Chain& chain, size_t c, size_t O, double H, double b, int64_t n, std::vector<char>& pos) {
  for (int64_t a = -n; a <= n; ++a) {
    double v = b + H * double(a);
    for (const ExportLayer* e : chain.layers) {
      const ir::Layer& r = e->layer;
      if (r.kind == LayerKind::kRelu) {
        v = v > 0 ? v : 0.0;
      } else if (r.kind == LayerKind::kBatchNorm) {
        const auto& gamma = need_param(r, "weight").data;
        if (gamma.size() != O) return false;
        const double s = double(gamma[c]) / std::sqrt(double(need_param(r, "running_var").data[c]) +
                                                       compress::quant::kBatchNormEps);
        v = (v - double(need_param(r, "running_mean").data[c])) * s + double(need_param(r, "bias").data[c]);
      }
    }
    pos[size_t(a + n)] = v >= 0 ? 1 : 0;
  }
  return true;
}

// Per output channel (threshold, direction, constant): sign(chain(b + H·acc)) as a
// threshold on the integer acc ∈ [−n, n]. Empty when some channel is not monotone (or,
// with a max pool, not non-decreasing: the max of a decreasing function is not the
// function of the max).
std::vector<float> fold_thresholds(const Chain& chain, const std::vector<float>& H, const std::vector<float>& b,
                                   int64_t n) {
  if (n > (int64_t(1) << 20)) return {};
  const size_t O = H.size();
  std::vector<float> out(O * 3);
  std::vector<char> pos(size_t(2 * n + 1));
  const auto all_pos = [](auto from, auto to) { return std::all_of(from, to, [](char p) { return p == 1; }); };
  for (size_t c = 0; c < O; ++c) {
    if (!signs_of(chain, c, O, double(H[c]), double(b[c]), n, pos)) return {};
    const size_t first = size_t(std::find(pos.begin(), pos.end(), 1) - pos.begin());
    const size_t last = pos.size() - 1 - size_t(std::find(pos.rbegin(), pos.rend(), 1) - pos.rbegin());
    float thr = 0, dir = 0, cst = 1;
    if (first == pos.size()) {
      cst = -1;
    } else if (first == 0 && last == pos.size() - 1 && all_pos(pos.begin(), pos.end())) {
      cst = 1;
    } else if (last == pos.size() - 1 && all_pos(pos.begin() + long(first), pos.end())) {
      dir = 1;
      thr = float(int64_t(first) - n);
    } else if (first == 0 && all_pos(pos.begin(), pos.begin() + long(last) + 1)) {
      if (chain.pool) return {};
      dir = -1;
      thr = float(int64_t(last) - n);
    } else {
      return {};
    }
    out[c * 3] = thr;
    out[c * 3 + 1] = dir;
    out[c * 3 + 2] = cst;
  }
  return out;
}

// A binary layer reading packed signs (layers[i]); folds its chain when it can.
void bnn(ExportGraph& g, size_t i) {
  ExportLayer& e = g.layers[i];
  const ir::Layer& l = e.layer;
  if (l.kind != LayerKind::kDense && l.kind != LayerKind::kConv2d) fail(l, "binary inputs need a dense or conv2d layer");
  const ir::Param& wp = need_param(l, "weight");
  const size_t O = size_t(l.out_features), per = wp.data.size() / O;
  const std::vector<float> H = binary_scale(l, wp.data, O, per);
  e.ann.reads_packed = true;
  e.ann.out_chosen = true;  // float output, or packed below
  const Chain chain = chain_to_sign(g, e);
  if (chain.sign) e.ann.thresholds = fold_thresholds(chain, H, bias_or_zero(l), int64_t(per));
  if (e.ann.thresholds.empty()) return;
  mark_packed(e, l.output_shape.size() == 3 ? channels_last(l.output_shape) : l.output_shape);
  std::string what = "'" + l.name + "'";
  std::vector<std::string> gone;
  for (const ExportLayer* c : chain.layers) {
    what += " → '" + c->layer.name + "'";
    gone.push_back(c->layer.name);
  }
  const std::string sign = chain.sign->layer.name;
  e.ann.notes.push_back(what + " → '" + sign + "' folded into per-channel thresholds (packed output)");
  gone.push_back(sign);
  std::string out = l.name;
  if (chain.pool) {  // the packed max pool follows the layer at once
    ExportLayer pool = *chain.pool;
    pool.layer.inputs = {l.name};
    mark_packed(pool, channels_last(pool.layer.output_shape));
    out = pool.layer.name;
    g.rewire(sign, out);
    g.erase(gone);
    g.layers.insert(g.layers.begin() + long(i) + 1, std::move(pool));
    return;
  }
  g.rewire(sign, out);
  g.erase(gone);
}

}  // namespace

void fold_bn_sign_thresholds(ExportGraph& g) {
  if (!g.pack_binary || g.fixed) return;
  std::vector<std::string> packed;  // layers whose output is packed signs
  const auto is_packed = [&](const std::string& n) { return std::find(packed.begin(), packed.end(), n) != packed.end(); };
  for (size_t i = 0; i < g.layers.size(); ++i) {
    ExportLayer& e = g.layers[i];
    if (e.layer.kind == LayerKind::kSign && packs(g, e)) {
      mark_packed(e, channels_last(e.layer.output_shape));
      packed.push_back(e.layer.name);
    } else if (binary_weight(e.layer) && is_packed(e.layer.inputs.at(0))) {
      const std::string name = e.layer.name;
      bnn(g, i);
      const ExportLayer* now = g.find(name);
      if (now->ann.out.dt == DType::BIN) {
        packed.push_back(name);
        if (i + 1 < g.layers.size() && g.layers[i + 1].ann.out.dt == DType::BIN) packed.push_back(g.layers[i + 1].layer.name);
      }
    }
  }
}

}  // namespace slimlab::deploy::passes
