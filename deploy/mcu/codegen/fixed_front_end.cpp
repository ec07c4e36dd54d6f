// fixed_audio_front_end (fixed_front_end.h): the float front end's ops replaced by
// integer ones; every other tensor and op copied unchanged (same indices).
#include "codegen/fixed_front_end.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "slimrt/fixed_point.h"
#include "slimrt/frontend.h"
#include "slimrt/writer.h"

namespace slimrt::mcu {

namespace {
constexpr int kFeatureFl = 11;  // ln(E + 1e-6) ∈ [−13.9, 16) in Q11 of an int16

std::vector<float> floats(const TensorDesc& t) {
  std::vector<float> v(size_t(t.numel));
  std::memcpy(v.data(), t.data, v.size() * 4);
  return v;
}
}  // namespace

std::vector<uint8_t> fixed_audio_front_end(const Model& m, const std::string& origin) {
  auto fail = [&](const std::string& what) {
    throw Error(origin + ": " + what + " (fixed-point front end, docs/MCU.md)");
  };
  const auto& ops = m.ops();
  const auto& ts = m.tensors();
  if (m.inputs().size() != 1 || ops.size() < 4 || ops[0].type != OpType::AudioFeatures ||
      ops[1].type != OpType::Normalize || ops[2].type != OpType::Quantize || ops[0].inputs[0] != m.inputs()[0] ||
      ops[1].inputs[0] != ops[0].outputs[0] || ops[2].inputs[0] != ops[1].outputs[0])
    fail("the graph does not start AudioFeatures → Normalize → Quantize on its input (slimlab export --front-end "
         "-p int8|int16 writes that)");
  const OpDesc& norm = ops[1];
  const TensorDesc &feat = ts[size_t(ops[0].outputs[0])], &q = ts[size_t(ops[2].outputs[0])];
  const size_t axis = size_t(norm.axis);
  int64_t outer = 1, inner = 1;
  for (size_t k = 0; k < axis; ++k) outer *= feat.shape[k];
  for (size_t k = axis + 1; k < feat.shape.size(); ++k) inner *= feat.shape[k];
  const int64_t C = feat.shape[axis];
  if (outer != 1) fail("the normalisation runs along axis " + std::to_string(axis) + " with leading extents, not per band");
  // Weights 1/std (slimrt's own reciprocals), biases −mean/std, per band.
  const std::vector<float> mean = floats(ts[size_t(norm.inputs[1])]), sd = floats(ts[size_t(norm.inputs[2])]);
  const std::vector<float> inv = frontend::prepare_normalization(sd.data(), sd.size());
  std::vector<double> w(static_cast<size_t>(C)), b(static_cast<size_t>(C));
  double wmax = 0, bmax = 0;
  for (int64_t c = 0; c < C; ++c) {
    const size_t k = mean.size() == 1 ? 0 : size_t(c);
    w[size_t(c)] = double(inv[k]);
    b[size_t(c)] = -double(mean[k]) * double(inv[k]);
    wmax = std::max(wmax, std::fabs(w[size_t(c)]));
    bmax = std::max(bmax, std::fabs(b[size_t(c)]));
  }
  int fl_w = fixed::fractional_bits_for_range(wmax, 16);
  while (fl_w > 0 && std::ldexp(bmax, kFeatureFl + fl_w) >= 2147483647.0) --fl_w;  // the bias fits int32
  const int fl_out = std::min(15, q.fl + 16 - q.wl);  // int16 with the network input's integer range
  std::vector<int16_t> wq(static_cast<size_t>(C));
  std::vector<int32_t> bq(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    wq[size_t(c)] = int16_t(fixed::quantize(w[size_t(c)], 16, fl_w));
    bq[size_t(c)] = fixed::quantize_bias(b[size_t(c)], kFeatureFl + fl_w);
  }

  ModelWriter out;
  for (const TensorDesc& t : ts) {
    if (t.constant()) out.add_constant(t.name, t.dtype, t.shape, t.data, t.bytes, t.fl, t.wl);
    else out.add_tensor(t.name, t.dtype, t.shape, t.fl, t.wl);
  }
  const int fq = out.add_tensor("frontend.features.q", DType::I16, {C, inner}, kFeatureFl);
  const int wt = out.add_constant("frontend.normalize.weight", DType::I16, {C, 1, 1}, wq.data(), wq.size() * 2, fl_w);
  const int bt = out.add_i32("frontend.normalize.bias", {C}, bq, kFeatureFl + fl_w);
  const int nq = out.add_tensor("frontend.normalized.q", DType::I16, {C, inner}, fl_out);
  const int nr = out.add_tensor("frontend.normalized", DType::I16, q.shape, fl_out);
  out.add_op(OpType::AudioFeatures, ops[0].name, {m.inputs()[0]}, {fq}).frontend = ops[0].frontend;
  OpDesc& conv = out.add_op(OpType::Conv1d, norm.name, {fq, wt, bt}, {nq});
  conv.kernel = {1}, conv.stride = {1}, conv.padding = {0}, conv.dilation = {1}, conv.groups = int(C);
  out.add_op(OpType::Reshape, norm.name + ".reshape", {nq}, {nr});
  out.add_op(OpType::Quantize, ops[2].name, {nr}, {ops[2].outputs[0]});
  for (size_t i = 3; i < ops.size(); ++i) out.add_op(ops[i].type, ops[i].name, ops[i].inputs, ops[i].outputs) = ops[i];
  out.inputs = m.inputs();
  out.outputs = m.outputs();
  out.metadata = m.metadata();
  std::vector<uint8_t> bytes = out.finish();
  try {
    Model::from_memory(bytes.data(), bytes.size());  // slimrt's own verification
  } catch (const Error& e) {
    fail(std::string("the rewritten model does not verify: ") + e.what());
  }
  return bytes;
}

}  // namespace slimrt::mcu
