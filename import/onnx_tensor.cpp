// TensorProto → Tensor, checked: dims, element type, data size against the dims.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "import/onnx_internal.h"

namespace slimlab::onnx_import {

std::vector<int64_t> parse_shape(const std::string& text) {
  std::vector<int64_t> out;
  std::string cur;
  auto flush = [&] {
    if (cur.empty()) return;
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(cur, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != cur.size() || v < 1 || v > detail::kMaxDim)
      throw OnnxError("input shape '" + text + "': '" + cur + "' is not a positive extent");
    out.push_back(v);
    cur.clear();
  };
  for (char ch : text) {
    if (ch == ',' || ch == 'x' || ch == ' ' || ch == '[' || ch == ']') {
      flush();
    } else {
      cur += ch;
    }
  }
  flush();
  if (out.empty()) throw OnnxError("input shape '" + text + "': no extents (write e.g. 1,28,28)");
  return out;
}

namespace detail {

int64_t to_int(double d) {
  // Clamped: INT64_MAX as a slice end ("to the end") must not overflow the conversion.
  constexpr double kLimit = 4.6e18;
  if (std::isnan(d)) return 0;
  return int64_t(std::clamp(d, -kLimit, kLimit));
}

std::vector<int64_t> Tensor::ints() const {
  std::vector<int64_t> out;
  out.reserve(v.size());
  for (double d : v) out.push_back(to_int(d));
  return out;
}

int64_t checked_numel(const Shape& dims, const std::string& what) {
  if (int64_t(dims.size()) > kMaxRank)
    throw OnnxError(what + ": rank " + std::to_string(dims.size()) + " is above the limit " + std::to_string(kMaxRank));
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || d > kMaxDim) throw OnnxError(what + ": dimension " + std::to_string(d) + " is not valid");
    if (d != 0 && n > kMaxElements / d)
      throw OnnxError(what + ": " + ir::to_string(dims) + " has more than " + std::to_string(kMaxElements) +
                      " elements");
    n *= d;
  }
  return n;
}

std::string type_name(int32_t t) {
  using TP = onnx::TensorProto;
  if (TP::DataType_IsValid(t)) return TP::DataType_Name(static_cast<TP::DataType>(t));
  return "type " + std::to_string(t);
}

namespace {

// Bytes per element in raw_data; 0 for a type the importer does not read.
size_t element_bytes(int32_t t) {
  using TP = onnx::TensorProto;
  switch (t) {
    case TP::FLOAT: case TP::INT32: return 4;
    case TP::DOUBLE: case TP::INT64: return 8;
    case TP::INT8: case TP::UINT8: case TP::BOOL: return 1;
    default: return 0;
  }
}

double raw_element(const char* p, int32_t t) {
  using TP = onnx::TensorProto;
  switch (t) {
    case TP::FLOAT: { float f; std::memcpy(&f, p, 4); return f; }
    case TP::INT32: { int32_t i; std::memcpy(&i, p, 4); return i; }
    case TP::DOUBLE: { double d; std::memcpy(&d, p, 8); return d; }
    case TP::INT64: { int64_t i; std::memcpy(&i, p, 8); return double(i); }
    case TP::INT8: return double(static_cast<int8_t>(*p));
    default: return double(static_cast<uint8_t>(*p));  // UINT8, BOOL
  }
}

template <class Field>
void copy_field(const Field& f, int64_t n, const std::string& what, const char* field, Tensor& out) {
  if (int64_t(f.size()) != n)
    throw OnnxError(what + ": " + field + " holds " + std::to_string(f.size()) + " values for " +
                    ir::to_string(out.dims) + " (" + std::to_string(n) + ")");
  out.v.assign(f.begin(), f.end());
}

}  // namespace

Tensor read_tensor(const onnx::TensorProto& t, const std::string& what) {
  using TP = onnx::TensorProto;
  if (t.data_location() == TP::EXTERNAL)
    throw OnnxError(what + ": the data is stored outside the file (external data); save the model with "
                    "onnx.save_model(m, path, save_as_external_data=False)");
  Tensor out;
  out.dims.assign(t.dims().begin(), t.dims().end());
  const int64_t n = checked_numel(out.dims, what);
  const int32_t dt = t.data_type();
  const size_t bytes = element_bytes(dt);
  if (bytes == 0)
    throw OnnxError(what + ": element type " + type_name(dt) + " is not supported (FLOAT, DOUBLE, INT8, UINT8, "
                    "INT32, INT64, BOOL are)");
  out.integer = dt != TP::FLOAT && dt != TP::DOUBLE;
  out.dtype = dt;
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != size_t(n) * bytes)
      throw OnnxError(what + ": raw_data has " + std::to_string(raw.size()) + " bytes, " + ir::to_string(out.dims) +
                      " of " + type_name(dt) + " needs " + std::to_string(size_t(n) * bytes));
    out.v.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i) out.v[size_t(i)] = raw_element(raw.data() + size_t(i) * bytes, dt);
  } else if (dt == TP::FLOAT) {
    copy_field(t.float_data(), n, what, "float_data", out);
  } else if (dt == TP::DOUBLE) {
    copy_field(t.double_data(), n, what, "double_data", out);
  } else if (dt == TP::INT64) {
    copy_field(t.int64_data(), n, what, "int64_data", out);
  } else {
    copy_field(t.int32_data(), n, what, "int32_data", out);
  }
  if (!out.integer)
    for (double d : out.v)
      if (!std::isfinite(d)) throw OnnxError(what + ": holds a non-finite value (" + std::to_string(d) + ")");
  return out;
}

}  // namespace detail
}  // namespace slimlab::onnx_import
