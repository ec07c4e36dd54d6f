#pragma once
// Writing ONNX protobuf messages: shared by the exporter (onnx_export.cpp) and the
// tests' hand-built models (tests/onnx/onnx_builder.h).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace slimlab::onnx_import {

// IR version 8 and the default domain at `opset`.
void start_model(onnx::ModelProto& m, int64_t opset, const std::string& producer);
onnx::NodeProto& add_node(onnx::GraphProto& g, const std::string& op, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name);
void set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v);
void set_int(onnx::NodeProto& n, const std::string& name, int64_t v);
void set_float(onnx::NodeProto& n, const std::string& name, float v);
// A FLOAT graph value [batch, dims...]: a dim < 0 is symbolic ("batch" for the first).
void set_float_value(onnx::ValueInfoProto& v, const std::string& name, const std::vector<int64_t>& dims);

}  // namespace slimlab::onnx_import
