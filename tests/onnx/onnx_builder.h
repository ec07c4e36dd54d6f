#pragma once
// Hand-built ONNX models for the torch-free importer tests and the fuzz seeds: the
// protobuf API of Debian's libonnx-dev, no exporter needed.
#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include "import/onnx_import.h"
#include "import/onnx_proto.h"

#include <cstdint>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

namespace slimlab::test {

class OnnxBuilder {
 public:
  // Input "x" [batch, dims...] (a dim < 0 is symbolic), opset `opset`.
  explicit OnnxBuilder(std::vector<int64_t> input_dims, int64_t opset = 13) {
    onnx_import::start_model(m_, opset, "slimlab-test");
    onnx_import::set_float_value(*m_.mutable_graph()->add_input(), "x", input_dims);
  }

  onnx::NodeProto& node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs,
                        const std::string& name = "") {
    return onnx_import::add_node(*m_.mutable_graph(), op, inputs, outputs,
                                 name.empty() ? op + "_" + std::to_string(m_.graph().node_size()) : name);
  }

  static void ints(onnx::NodeProto& n, const std::string& name, std::vector<int64_t> v) { onnx_import::set_ints(n, name, v); }
  static void integer(onnx::NodeProto& n, const std::string& name, int64_t v) { onnx_import::set_int(n, name, v); }
  // A STRINGS attribute (one string: `text`, replacing an attribute of that name).
  static void strings(onnx::NodeProto& n, const std::string& name, const std::vector<std::string>& v,
                      bool one = false) {
    onnx::AttributeProto* a = nullptr;
    for (auto& x : *n.mutable_attribute())
      if (x.name() == name) a = &x;
    if (!a) a = n.add_attribute();
    a->Clear();
    a->set_name(name);
    a->set_type(one ? onnx::AttributeProto::STRING : onnx::AttributeProto::STRINGS);
    if (one) a->set_s(v.at(0));
    for (size_t i = 0; !one && i < v.size(); ++i) a->add_strings(v[i]);
  }
  static void text(onnx::NodeProto& n, const std::string& name, const std::string& v) { strings(n, name, {v}, true); }

  // A FLOAT initializer with values 0.01·(i mod 7 − 3).
  onnx::TensorProto& weight(const std::string& name, std::vector<int64_t> dims) {
    auto* t = m_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= d;
    }
    for (int64_t i = 0; i < n; ++i) t->add_float_data(0.01f * float(i % 7 - 3));
    return *t;
  }

  onnx::TensorProto& int64s(const std::string& name, std::vector<int64_t> v) {
    auto* t = m_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(int64_t(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
    return *t;
  }

  void output(const std::string& name) { m_.mutable_graph()->add_output()->set_name(name); }

  onnx::ModelProto& model() { return m_; }
  std::string bytes() const { return m_.SerializeAsString(); }

 private:
  onnx::ModelProto m_;
};

// x [N, 1, 8, 8] → Conv 3×3 (4) → Relu → MaxPool 2 → Flatten → Gemm (3): a valid model.
inline OnnxBuilder small_cnn(int64_t batch = -1) {
  OnnxBuilder b({batch, 1, 8, 8});
  b.weight("w1", {4, 1, 3, 3});
  b.weight("b1", {4});
  b.weight("w2", {3, 36});
  b.weight("b2", {3});
  b.node("Conv", {"x", "w1", "b1"}, {"c"}, "/conv1/Conv");
  b.node("Relu", {"c"}, {"r"}, "/Relu");
  auto& pool = b.node("MaxPool", {"r"}, {"p"}, "/pool/MaxPool");
  OnnxBuilder::ints(pool, "kernel_shape", {2, 2});
  OnnxBuilder::ints(pool, "strides", {2, 2});
  b.node("Flatten", {"p"}, {"f"}, "/Flatten");
  auto& gemm = b.node("Gemm", {"f", "w2", "b2"}, {"y"}, "/fc/Gemm");
  OnnxBuilder::integer(gemm, "transB", 1);
  b.output("y");
  return b;
}

// `count` random mutations of `good` (1–4 bytes overwritten, a quarter of them also
// truncated), each imported: an OnnxError is fine, any other exception fails the test.
// Returns how many imported.
inline int import_mutations(const std::string& good, int count, unsigned seed) {
  std::mt19937 rng(seed);
  int imported = 0;
  for (int i = 0; i < count; ++i) {
    std::string bytes = good;
    const int flips = 1 + int(rng() % 4);
    for (int k = 0; k < flips; ++k) bytes[rng() % bytes.size()] = char(rng());
    if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
    try {
      onnx_import::import_onnx(bytes.data(), bytes.size(), {}, "mutated");
      ++imported;
    } catch (const onnx_import::OnnxError&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << "mutation " << i << ": " << typeid(e).name() << ": " << e.what();
      return imported;
    }
  }
  return imported;
}

}  // namespace slimlab::test
