#include "train/graph_module.h"

#include <cmath>
#include <stdexcept>

#include "datasets/text.h"
#include "train/op_facts.h"

namespace slimlab::train {

namespace {

// Position of `param` among the layer's parameters (IR order); npos when absent.
size_t param_index(const ir::Layer& l, const std::string& param) {
  for (size_t k = 0; k < l.params.size(); ++k)
    if (l.params[k].name == param) return k;
  return std::string::npos;
}

// One entry per spatial axis: `v`, or `fallback` on every axis when v is empty.
std::vector<int64_t> per_axis(const std::vector<int64_t>& v, size_t axes, int64_t fallback) {
  return v.empty() ? std::vector<int64_t>(axes, fallback) : v;
}

// LibTorch's default initialization of one layer's parameters (see init_parameters).
void init_layer(ir::Layer& l) {
  torch::NoGradGuard no_grad;
  const bool rnn = l.kind == ir::LayerKind::kGru || l.kind == ir::LayerKind::kLstm;
  torch::Tensor weight;  // the layer's "weight", for the bias bound of dense / conv
  for (ir::Param& p : l.params) {
    torch::Tensor t = torch::empty(p.shape, torch::kFloat32);
    if (rnn) {
      const double stdv = 1.0 / std::sqrt(double(l.out_features));
      t.uniform_(-stdv, stdv);
    } else if (l.kind == ir::LayerKind::kBatchNorm) {
      t.fill_(p.name == "weight" || p.name == "running_var" ? 1.0 : 0.0);
    } else if (p.name == "weight" && ir::multiplies_weights(l.kind)) {
      torch::nn::init::kaiming_uniform_(t, std::sqrt(5.0));
      weight = t;
    } else if (p.name == "bias" && weight.defined()) {
      const int64_t fan_in = std::get<0>(torch::nn::init::_calculate_fan_in_and_fan_out(weight));
      const double bound = 1.0 / std::sqrt(double(fan_in));
      torch::nn::init::uniform_(t, -bound, bound);
    } else {
      throw std::invalid_argument("init_parameters: no default initialization for '" + l.name + "." + p.name +
                                  "' (" + ir::to_string(l.kind) + ")");
    }
    p.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  }
}

// An input of a broadcasting layer (add, mul, sub, div) with its per-sample axes aligned
// to the output's rank: leading 1s after the batch axis. LibTorch aligns the trailing axes
// of the batched tensors, which pairs the batch axis with a per-sample axis when the
// per-sample ranks differ.
torch::Tensor aligned(const torch::Tensor& x, size_t rank) {
  const size_t have = size_t(x.dim()) - 1;
  if (have >= rank) return x;
  std::vector<int64_t> shape{x.size(0)};
  shape.insert(shape.end(), rank - have, 1);
  for (int64_t a = 1; a < x.dim(); ++a) shape.push_back(x.size(a));
  return x.reshape(shape);
}

}  // namespace

void init_parameters(ir::Graph& g) {
  for (ir::Layer& l : g.layers) init_layer(l);
}

void check_batch(const torch::Tensor& x, const std::vector<int64_t>& sample_shape, const std::string& who) {
  const std::vector<int64_t> got = x.sizes().vec();
  bool ok = got.size() == sample_shape.size() + 1 && got[0] >= 1;
  for (size_t i = 0; ok && i < sample_shape.size(); ++i) ok = got[i + 1] == sample_shape[i];
  if (!ok)
    throw std::invalid_argument(who + ": expects a batch [B, " + ir::to_string(sample_shape).substr(1) + ", got " +
                                ir::to_string(got));
}

GraphModuleImpl::GraphModuleImpl(const ir::Graph& g, double dropout) : graph_(g), dropout_(dropout) {
  graph_.validate();
  if (!(dropout >= 0 && dropout < 1))
    throw std::invalid_argument("GraphModule: dropout " + std::to_string(dropout) + " is outside [0, 1)");
  // Module tree: one plain Module per dotted prefix of a layer name.
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules;
  auto module_for = [&](const std::string& layer) -> torch::nn::Module& {
    torch::nn::Module* parent = this;
    std::string path;
    for (const std::string& part : data::split(layer, '.')) {
      if (part.empty())
        throw std::invalid_argument("GraphModule: layer name '" + layer + "' has an empty part between dots");
      path += (path.empty() ? "" : ".") + part;
      auto it = modules.find(path);
      if (it == modules.end()) {
        auto m = std::make_shared<torch::nn::Module>();
        try {
          parent->register_module(part, m);
        } catch (const c10::Error& e) {
          throw std::invalid_argument("GraphModule: layer '" + layer + "': cannot register module '" + path +
                                      "': " + e.what_without_backtrace());
        }
        it = modules.emplace(path, m).first;
      }
      parent = it->second.get();
    }
    return *parent;
  };

  hooks_.resize(graph_.layers.size());
  tensors_.resize(graph_.layers.size());
  input_index_.resize(graph_.layers.size());
  last_use_.resize(graph_.layers.size());
  for (size_t i = 0; i < graph_.layers.size(); ++i) {
    ir::Layer& l = graph_.layers[i];
    layer_index_[l.name] = i;
    last_use_[i] = i;
    for (const std::string& in : l.inputs) {
      const size_t j = layer_index_.at(in);  // validate() guarantees an earlier layer
      input_index_[i].push_back(j);
      last_use_[j] = i;
    }
    if (l.params.empty()) continue;
    torch::nn::Module& m = module_for(l.name);
    for (ir::Param& p : l.params) {
      if (int64_t(p.data.size()) != p.numel())
        throw std::invalid_argument("GraphModule: parameter '" + l.name + "." + p.name + "' has " +
                                    std::to_string(p.data.size()) + " values, expected " +
                                    std::to_string(p.numel()) + " (build it from a graph taken with weights)");
      torch::Tensor t = torch::from_blob(p.data.data(), p.shape, torch::kFloat32).clone();
      try {
        tensors_[i].push_back(p.trainable ? m.register_parameter(p.name, t) : m.register_buffer(p.name, t));
      } catch (const c10::Error& e) {
        throw std::invalid_argument("GraphModule: layer '" + l.name + "': cannot register '" + p.name +
                                    "': " + e.what_without_backtrace());
      }
      p.data.clear();
      p.data.shrink_to_fit();
    }
  }
}

ir::Graph GraphModuleImpl::graph(bool with_weights) const {
  ir::Graph g = graph_;
  if (!with_weights) return g;
  for (size_t i = 0; i < g.layers.size(); ++i)
    for (size_t k = 0; k < g.layers[i].params.size(); ++k) {
      const torch::Tensor t = tensors_[i][k].detach().to(torch::kCPU, torch::kFloat32).contiguous();
      g.layers[i].params[k].data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    }
  return g;
}

LayerHooks& GraphModuleImpl::hooks(const std::string& layer) {
  auto it = layer_index_.find(layer);
  if (it == layer_index_.end())
    throw std::invalid_argument("GraphModule '" + graph_.model + "': no layer '" + layer + "'");
  return hooks_[it->second];
}

void GraphModuleImpl::clear_hooks() {
  for (LayerHooks& h : hooks_) h = LayerHooks{};
}

torch::Tensor& GraphModuleImpl::parameter(const std::string& layer, const std::string& param) {
  auto it = layer_index_.find(layer);
  const size_t k = it == layer_index_.end() ? std::string::npos : param_index(graph_.layers[it->second], param);
  if (k == std::string::npos)
    throw std::invalid_argument("GraphModule '" + graph_.model + "': no parameter '" + layer + "." + param + "'");
  return tensors_[it->second][k];
}

torch::Tensor GraphModuleImpl::weight(size_t layer, size_t param) {
  torch::Tensor t = tensors_[layer][param];
  for (const ParamHook& h : hooks_[layer].param) t = h(graph_.layers[layer].params[param].name, t);
  return t;
}

torch::Tensor GraphModuleImpl::forward(torch::Tensor x) {
  check_batch(x, graph_.input_shape, "GraphModule '" + graph_.model + "'");
  const size_t n = graph_.layers.size();
  std::vector<torch::Tensor> outs(n);
  for (size_t i = 0; i < n; ++i) {
    std::vector<torch::Tensor> ins;
    if (i == 0) ins.push_back(x);
    for (size_t j : input_index_[i]) ins.push_back(outs[j]);
    for (const TensorHook& h : hooks_[i].input)
      for (torch::Tensor& t : ins) t = h(t);
    torch::Tensor y = run_layer(i, ins);
    for (const TensorHook& h : hooks_[i].output) y = h(y);
    if (on_layer_output) on_layer_output(graph_.layers[i].name, y);
    outs[i] = std::move(y);
    for (size_t j : input_index_[i])
      if (last_use_[j] == i && j + 1 != n) outs[j] = torch::Tensor();  // free what nobody reads any more
  }
  return outs.back();
}

torch::Tensor GraphModuleImpl::recurrent(size_t i, const torch::Tensor& x, bool lstm) {
  // x [B, T, F].
  const ir::Layer& l = graph_.layers[i];
  std::vector<torch::Tensor> w;  // LibTorch's flat-weights order
  for (const char* name : {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"})
    if (const size_t k = param_index(l, name); k != std::string::npos) w.push_back(weight(i, k));
  if (!hooks_[i].state.empty()) return recurrent_loop(i, x, lstm, w);
  // No hook needs the steps: LibTorch's fused recurrence, as torch::nn::GRU / LSTM run it.
  const torch::Tensor h0 = torch::zeros({1, x.size(0), l.out_features}, x.options());
  if (lstm) return std::get<0>(torch::lstm(x, {h0, h0}, w, l.bias, 1, 0.0, is_training(), false, true));
  return std::get<0>(torch::gru(x, h0, w, l.bias, 1, 0.0, is_training(), false, true));
}

torch::Tensor GraphModuleImpl::recurrent_loop(size_t i, const torch::Tensor& x, bool lstm,
                                              const std::vector<torch::Tensor>& w) {
  // The input projection of every step at once, then the time loop.
  const int64_t batch = x.size(0), steps = x.size(1), hidden = graph_.layers[i].out_features;
  const torch::Tensor b_ih = w.size() > 2 ? w[2] : torch::Tensor(), b_hh = w.size() > 3 ? w[3] : torch::Tensor();
  const torch::Tensor gi = torch::linear(x, w[0], b_ih);  // [B, T, G·H]
  const torch::Tensor w_hh_t = w[1].t();
  torch::Tensor h = torch::zeros({batch, hidden}, x.options());
  torch::Tensor c = lstm ? torch::zeros({batch, hidden}, x.options()) : torch::Tensor();
  std::vector<torch::Tensor> out;
  out.reserve(size_t(steps));
  const auto& state_hooks = hooks_[i].state;
  for (int64_t t = 0; t < steps; ++t) {
    const torch::Tensor gx = gi.select(1, t);
    const torch::Tensor gh = b_hh.defined() ? torch::addmm(b_hh, h, w_hh_t) : h.mm(w_hh_t);
    if (!lstm) {
      // torch::nn::GRU: r, z from both projections; n = tanh(x_n + r ⊙ h_n); h' = (1 − z) n + z h.
      const auto x3 = gx.chunk(3, 1), h3 = gh.chunk(3, 1);
      const torch::Tensor r = torch::sigmoid(x3[0] + h3[0]);
      const torch::Tensor z = torch::sigmoid(x3[1] + h3[1]);
      const torch::Tensor nn = torch::tanh(x3[2] + r * h3[2]);
      h = nn + z * (h - nn);
      for (const TensorHook& hk : state_hooks) h = hk(h);
    } else {
      // torch::nn::LSTM: gates i, f, g, o; c' = f c + i g; h' = o tanh(c').
      const auto g4 = (gx + gh).chunk(4, 1);
      const torch::Tensor ig = torch::sigmoid(g4[0]), fg = torch::sigmoid(g4[1]);
      const torch::Tensor gg = torch::tanh(g4[2]), og = torch::sigmoid(g4[3]);
      c = fg * c + ig * gg;
      for (const TensorHook& hk : state_hooks) c = hk(c);
      h = og * torch::tanh(c);
      for (const TensorHook& hk : state_hooks) h = hk(h);
    }
    out.push_back(h);
  }
  return torch::stack(out, 1);  // [B, T, H]
}

torch::Tensor GraphModuleImpl::run_layer(size_t i, const std::vector<torch::Tensor>& ins) {
  using K = ir::LayerKind;
  const ir::Layer& l = graph_.layers[i];
  // Weight first, then bias: param hooks see the parameters in a fixed order.
  torch::Tensor w, b;
  if (l.kind == K::kDense || l.kind == K::kConv1d || l.kind == K::kConv2d || l.kind == K::kDepthwiseConv2d ||
      l.kind == K::kBatchNorm) {
    w = weight(i, param_index(l, "weight"));
    if (l.bias || l.kind == K::kBatchNorm) b = weight(i, param_index(l, "bias"));
  }
  switch (l.kind) {
    case K::kInput:
      return ins[0];
    case K::kDense:
      return torch::linear(ins[0].flatten(1), w, b);
    case K::kConv1d:
      return torch::conv1d(ins[0], w, b, per_axis(l.stride, 1, 1), per_axis(l.padding, 1, 0),
                           per_axis(l.dilation, 1, 1), l.groups);
    case K::kConv2d:
    case K::kDepthwiseConv2d:
      return torch::conv2d(ins[0], w, b, per_axis(l.stride, 2, 1), per_axis(l.padding, 2, 0),
                           per_axis(l.dilation, 2, 1), l.groups);
    case K::kMaxPool1d:
      return torch::max_pool1d(ins[0], l.kernel, l.stride.empty() ? l.kernel : l.stride, per_axis(l.padding, 1, 0),
                               per_axis(l.dilation, 1, 1));
    case K::kMaxPool2d:
      return torch::max_pool2d(ins[0], l.kernel, l.stride.empty() ? l.kernel : l.stride, per_axis(l.padding, 2, 0),
                               per_axis(l.dilation, 2, 1));
    case K::kAvgPool2d:
      return torch::avg_pool2d(ins[0], l.kernel, l.stride.empty() ? l.kernel : l.stride, per_axis(l.padding, 2, 0));
    case K::kGlobalAvgPool:
      return ins[0].flatten(2).mean(2);
    case K::kBatchNorm: {
      // Running statistics are never hooked: in training mode batch_norm updates them in place.
      const torch::Tensor& rm = tensors_[i][param_index(l, "running_mean")];
      const torch::Tensor& rv = tensors_[i][param_index(l, "running_var")];
      return torch::batch_norm(ins[0], w, b, rm, rv, is_training(),
                               /*momentum=*/0.1, /*eps=*/1e-5, /*cudnn_enabled=*/false);
    }
    case K::kGru:
      return recurrent(i, ins[0], /*lstm=*/false);
    case K::kLstm:
      return recurrent(i, ins[0], /*lstm=*/true);
    case K::kRelu:
      return torch::relu(ins[0]);
#define SLIMLAB_CLAMP_CASE_(Name, lo, hi) \
    case K::k##Name:                      \
      return torch::hardtanh(ins[0], double(lo), double(hi));
      SLIMRT_CONST_CLAMP_OPS(SLIMLAB_CLAMP_CASE_)
#undef SLIMLAB_CLAMP_CASE_
    case K::kHardTanh:
      return torch::hardtanh(ins[0], l.min_value, l.max_value);
    case K::kSign: {
      // Values sign(x) with sign(0) = +1; gradient 1{|x| ≤ 1} (straight-through, BNN).
      const torch::Tensor& x = ins[0];
      const torch::Tensor clipped = x.clamp(-1.0, 1.0);
      const torch::Tensor s = torch::where(x >= 0, torch::ones_like(x), -torch::ones_like(x));
      return clipped + (s - clipped).detach();
    }
    case K::kSoftmax:
      return torch::softmax(ins[0], -1);
    case K::kSigmoid:
      return torch::sigmoid(ins[0]);
    case K::kHardSwish:
      return torch::hardswish(ins[0]);
    case K::kTanh:
      return torch::tanh(ins[0]);
    case K::kLeakyRelu:
      return torch::leaky_relu(ins[0], l.alpha);
    case K::kHardSigmoid:  // ONNX's α, β: torch::hardsigmoid is α = 1/6, β = 1/2 only
      return torch::clamp(ins[0] * l.alpha + l.beta, 0.0, 1.0);
    case K::kLogSoftmax:
      return torch::log_softmax(ins[0], -1);
    case K::kDropout:
      return dropout_ > 0 ? torch::dropout(ins[0], dropout_, is_training()) : ins[0];
    case K::kFlatten:
      return ins[0].flatten(1);
    case K::kReshape: {
      std::vector<int64_t> shape{ins[0].size(0)};
      shape.insert(shape.end(), l.output_shape.begin(), l.output_shape.end());
      return ins[0].reshape(shape);
    }
    case K::kConcat:
      return torch::cat(ins, l.axis + 1);
    case K::kAdd: {
      const size_t r = l.output_shape.size();
      torch::Tensor y = aligned(ins[0], r);
      for (size_t k = 1; k < ins.size(); ++k) y = y + aligned(ins[k], r);
      return y;
    }
    case K::kMul:
      return aligned(ins[0], l.output_shape.size()) * aligned(ins[1], l.output_shape.size());
    case K::kSub:
      return aligned(ins[0], l.output_shape.size()) - aligned(ins[1], l.output_shape.size());
    case K::kDiv:
      return aligned(ins[0], l.output_shape.size()) / aligned(ins[1], l.output_shape.size());
    case K::kMeanOverTime:
      return ins[0].mean(1);
    case K::kSlice:
      return ins[0].narrow(l.axis + 1, l.begin, l.end - l.begin);
    case K::kReverse:
      return ins[0].flip({l.axis + 1});
    case K::kTranspose: {
      std::vector<int64_t> perm{0};
      for (int64_t a : l.perm) perm.push_back(a + 1);
      return ins[0].permute(perm);
    }
    default:
      break;
  }
  throw std::logic_error("GraphModule: layer '" + l.name + "' (" + ir::to_string(l.kind) +
                         ") has no LibTorch execution");
}

}  // namespace slimlab::train
