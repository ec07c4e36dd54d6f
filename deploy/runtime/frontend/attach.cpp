// attach_front_end (slimrt/frontend_graph.h): the network copied behind a front end.
#include <string>

#include "slimrt/frontend_graph.h"
#include "slimrt/stream.h"
#include "slimrt/writer.h"

namespace slimrt::frontend {

namespace {

// Copies every tensor (same indices) and op of `m` into `w`.
void copy_network(const Model& m, ModelWriter& w) {
  for (const TensorDesc& t : m.tensors()) {
    if (t.constant()) w.add_constant(t.name, t.dtype, t.shape, t.data, t.bytes, t.fl, t.wl);
    else w.add_tensor(t.name, t.dtype, t.shape, t.fl, t.wl);
  }
}

}  // namespace

std::vector<uint8_t> attach_front_end(const Model& network, const FrontEndSpec& spec) {
  if (network.inputs().size() != 1) throw Error("attach_front_end: the network has " + std::to_string(network.inputs().size()) + " inputs, not 1");
  if (spec.op != OpType::AudioFeatures && spec.op != OpType::DeepSenseFeatures && spec.op != OpType::ImageResize)
    throw Error(std::string("attach_front_end: ") + op_name(spec.op) + " cannot start a graph (AudioFeatures, DeepSenseFeatures, ImageResize)");
  if (spec.mean.size() != spec.stddev.size()) throw Error("attach_front_end: mean and std differ in length");
  const int features = network.inputs()[0];
  const TensorDesc& in = network.tensors()[size_t(features)];
  ModelWriter w;
  copy_network(network, w);
  const int raw = w.add_tensor("raw_input", DType::F32, spec.raw_shape);
  const bool norm_op = !spec.mean.empty() && spec.op != OpType::ImageResize;
  const int fe_out = norm_op ? w.add_tensor("frontend.features", DType::F32, in.shape) : features;
  std::vector<int> fe_in = {raw};
  if (!spec.mean.empty() && spec.op == OpType::ImageResize) {
    fe_in.push_back(w.add_f32("frontend.mean", {int64_t(spec.mean.size())}, spec.mean));
    fe_in.push_back(w.add_f32("frontend.std", {int64_t(spec.stddev.size())}, spec.stddev));
  }
  OpDesc& fe = w.add_op(spec.op, "frontend", fe_in, {fe_out});
  fe.frontend = spec.params;
  fe.frontend.present = spec.op != OpType::ImageResize;
  if (norm_op) {
    const int64_t n = int64_t(spec.mean.size());
    const int mean = w.add_f32("frontend.mean", {n}, spec.mean), sd = w.add_f32("frontend.std", {n}, spec.stddev);
    w.add_op(OpType::Normalize, "frontend.normalize", {fe_out, mean, sd}, {features}).axis = spec.axis;
  }
  for (const OpDesc& op : network.ops()) w.add_op(op.type, op.name, op.inputs, op.outputs) = op;
  w.inputs = {raw};
  w.outputs = network.outputs();
  w.metadata = network.metadata();
  std::vector<uint8_t> bytes = w.finish();
  slimrt_frontend_register();
  try {
    Model::from_memory(bytes.data(), bytes.size());  // the file's own verification
  } catch (const Error& e) {
    throw Error(std::string("attach_front_end: the network with its front end does not verify: ") + e.what());
  }
  return bytes;
}

std::vector<uint8_t> detach_front_end(const Model& model) {
  auto front = [](OpType t) {
    return t == OpType::AudioFeatures || t == OpType::DeepSenseFeatures || t == OpType::Normalize ||
           t == OpType::Resample || t == OpType::ImageResize;
  };
  if (model.inputs().size() != 1) throw Error("detach_front_end: the model has more than one input");
  int features = model.inputs()[0];
  size_t first = 0;
  for (; first < model.ops().size() && front(model.ops()[first].type) && model.ops()[first].inputs[0] == features; ++first)
    features = model.ops()[first].outputs[0];
  if (first == 0) throw Error("detach_front_end: the model's graph does not start with a front-end op");
  if (first == model.ops().size()) throw Error("detach_front_end: the model is only a front end");
  ModelWriter w;
  copy_network(model, w);
  for (size_t i = first; i < model.ops().size(); ++i) {
    const OpDesc& op = model.ops()[i];
    w.add_op(op.type, op.name, op.inputs, op.outputs) = op;
  }
  w.inputs = {features};
  w.outputs = model.outputs();
  w.metadata = model.metadata();
  return w.finish();
}

}  // namespace slimrt::frontend
