#include "slimrt/writer.h"

#include "slimrt/crc32c.h"
#include "verifier.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace slimrt {

int ModelWriter::add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape, int fl, int wl) {
  TensorDesc t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.fl = fl;
  t.wl = wl;
  tensors_.push_back(std::move(t));
  data_.emplace_back();
  return int(tensors_.size() - 1);
}

int ModelWriter::add_constant(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data,
                              size_t bytes, int fl, int wl) {
  size_t want = 0;
  if (!storage_bytes(dtype, shape, size_t(1) << 31, &want) || want != bytes)
    throw Error("ModelWriter: constant '" + name + "' has " + std::to_string(bytes) + " bytes, its dtype and shape need " +
                std::to_string(want));
  const int i = add_tensor(name, dtype, std::move(shape), fl, wl);
  const auto* p = static_cast<const uint8_t*>(data);
  data_[size_t(i)].assign(p, p + bytes);
  tensors_[size_t(i)].bytes = bytes;
  return i;
}

int ModelWriter::add_f32(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& v) {
  return add_constant(name, DType::F32, std::move(shape), v.data(), v.size() * 4);
}

int ModelWriter::add_i32(const std::string& name, std::vector<int64_t> shape, const std::vector<int32_t>& v, int fl) {
  return add_constant(name, DType::I32, std::move(shape), v.data(), v.size() * 4, fl);
}

OpDesc& ModelWriter::add_op(OpType type, const std::string& name, std::vector<int> in, std::vector<int> out) {
  OpDesc op;
  op.type = type;
  op.name = name;
  op.inputs = std::move(in);
  op.outputs = std::move(out);
  ops_.push_back(std::move(op));
  return ops_.back();
}

namespace {

using Builder = flatbuffers::FlatBufferBuilder;

flatbuffers::Offset<fb::Op> write_op(Builder& b, const OpDesc& o) {
  const FrontEndParams& f = o.frontend;
  const auto fe = f.present ? fb::CreateFrontEnd(b, f.sample_rate, f.target_rate, f.n_fft, f.win_length, f.hop_length,
                                                 f.n_mels, f.n_mfcc, f.fmin, f.fmax, f.intervals, f.fft_bins,
                                                 f.axes_per_sensor, f.stream_hop, f.smooth_window,
                                                 static_cast<fb::SmoothMode>(f.smooth_mode))
                            : flatbuffers::Offset<fb::FrontEnd>();
  return fb::CreateOpDirect(b, o.type, o.name.c_str(), &o.inputs, &o.outputs, o.kernel.empty() ? nullptr : &o.kernel,
                            o.stride.empty() ? nullptr : &o.stride, o.padding.empty() ? nullptr : &o.padding,
                            o.dilation.empty() ? nullptr : &o.dilation, o.groups, o.axis, o.begin, o.end,
                            o.perm.empty() ? nullptr : &o.perm, o.min_value, o.max_value, o.activation,
                            o.variant.empty() ? nullptr : o.variant.c_str(), o.gate_fl, o.gate_wl, o.cell_fl,
                            o.cell_wl, o.pre_fl, o.pre_wl, fe, o.alpha, o.beta);
}

std::vector<flatbuffers::Offset<fb::Tensor>> write_tensors(Builder& b, const std::vector<TensorDesc>& ts,
                                                           const std::vector<uint32_t>& buffer_of) {
  std::vector<flatbuffers::Offset<fb::Tensor>> out;
  for (size_t i = 0; i < ts.size(); ++i) {
    const TensorDesc& t = ts[i];
    out.push_back(fb::CreateTensorDirect(b, t.name.c_str(), t.dtype, &t.shape, t.fl, buffer_of[i], t.wl));
  }
  return out;
}

std::vector<flatbuffers::Offset<fb::Op>> write_ops(Builder& b, const std::vector<OpDesc>& ops) {
  std::vector<flatbuffers::Offset<fb::Op>> out;
  for (const OpDesc& o : ops) out.push_back(write_op(b, o));
  return out;
}

// The file's weight buffers: written once, found again by their bytes.
struct BufferTable {
  std::vector<flatbuffers::Offset<fb::Buffer>> offsets;
  std::vector<std::pair<const uint8_t*, size_t>> bytes;  // per buffer (index 0: empty)

  uint32_t add(Builder& b, const uint8_t* data, size_t n) {
    b.ForceVectorAlignment(n, 1, kAlign);
    auto v = b.CreateVector(data, n);
    offsets.push_back(fb::CreateBuffer(b, v, crc32c(data, n)));
    bytes.emplace_back(data, n);
    return uint32_t(offsets.size() - 1);
  }
  // A buffer starting with these bytes, else a new one.
  uint32_t share(Builder& b, const uint8_t* data, size_t n) {
    for (size_t i = 1; i < bytes.size(); ++i)
      if (bytes[i].second >= n && std::memcmp(bytes[i].first, data, n) == 0) return uint32_t(i);
    return add(b, data, n);
  }
};

using PointList = std::vector<std::pair<OperatingPoint, std::shared_ptr<const Model>>>;

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::OperatingPoint>>> write_points(
    Builder& b, const PointList& points, BufferTable& buffers) {
  if (points.empty()) return 0;
  size_t mains = 0;
  std::vector<flatbuffers::Offset<fb::PointGraph>> graphs;
  for (const auto& [info, g] : points) {
    if (!g) {
      ++mains;
      graphs.emplace_back();
      continue;
    }
    std::vector<uint32_t> buffer_of(g->tensors().size(), 0);
    for (size_t i = 0; i < g->tensors().size(); ++i)
      if (const TensorDesc& t = g->tensors()[i]; t.constant()) buffer_of[i] = buffers.share(b, t.data, t.bytes);
    const auto tensors = write_tensors(b, g->tensors(), buffer_of);
    const auto ops = write_ops(b, g->ops());
    graphs.push_back(fb::CreatePointGraphDirect(b, &tensors, &ops, &g->inputs(), &g->outputs()));
  }
  if (mains != 1)
    throw Error("ModelWriter: " + std::to_string(mains) + " operating points are the main graph (exactly one must be)");
  std::vector<flatbuffers::Offset<fb::OperatingPoint>> out;
  for (size_t i = 0; i < points.size(); ++i) {
    const OperatingPoint& p = points[i].first;
    out.push_back(fb::CreateOperatingPointDirect(b, p.name.c_str(), p.width, p.precision.c_str(), p.accuracy, p.macs,
                                                 p.weight_bytes, p.latency_us, p.energy_uj, graphs[i]));
  }
  return b.CreateVector(out);
}

}  // namespace

std::vector<uint8_t> ModelWriter::finish() const {
  Builder b(1 << 16);
  // Buffers first (largest part), each 64-byte aligned; buffer 0 stays empty.
  BufferTable buffers;
  buffers.offsets.push_back(fb::CreateBuffer(b));
  buffers.bytes.emplace_back(nullptr, 0);
  std::vector<uint32_t> buffer_of(tensors_.size(), 0);
  for (size_t i = 0; i < tensors_.size(); ++i)
    if (!data_[i].empty()) buffer_of[i] = buffers.add(b, data_[i].data(), data_[i].size());
  const auto points = write_points(b, points_, buffers);
  const auto tensors = write_tensors(b, tensors_, buffer_of);
  const auto ops = write_ops(b, ops_);
  const Metadata& md = metadata;
  std::vector<flatbuffers::Offset<flatbuffers::String>> names;
  for (const auto& s : md.class_names) names.push_back(b.CreateString(s));
  auto meta = fb::CreateMetadataDirect(b, md.model.c_str(), md.precision.c_str(), &names, md.feature_type.c_str(),
                                       md.sample_rate, md.window_length, &md.norm_mean, &md.norm_std,
                                       md.source_run.c_str(), md.accuracy, md.exporter.c_str());
  // Model.crc32c must be present (a placeholder 0 until the bytes are final): force it.
  b.ForceDefaults(true);
  // The vectors in CreateModelDirect's order (the bytes of files without points are unchanged).
  const auto tensors_v = b.CreateVector(tensors);
  const auto buffers_v = b.CreateVector(buffers.offsets);
  const auto ops_v = b.CreateVector(ops);
  const auto inputs_v = b.CreateVector(inputs);
  const auto outputs_v = b.CreateVector(outputs);
  auto root = fb::CreateModel(b, kFormatVersion, tensors_v, buffers_v, ops_v, inputs_v, outputs_v, meta, 0, points);
  b.ForceDefaults(false);
  fb::FinishModelBuffer(b, root);
  std::vector<uint8_t> out(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  const fb::Model* m = fb::GetModel(out.data());
  const uint32_t crc = detail::structure_crc32c(*m, out.data(), out.size());
  std::memcpy(out.data() + (detail::model_crc_field(*m) - out.data()), &crc, 4);  // little-endian hosts only (as the loader)
  return out;
}

void ModelWriter::add_operating_point(const OperatingPoint& info, std::shared_ptr<const Model> graph) {
  points_.emplace_back(info, std::move(graph));
}

ModelWriter ModelWriter::from_model(const Model& m) {
  ModelWriter w;
  for (const TensorDesc& t : m.tensors()) {
    if (t.constant()) w.add_constant(t.name, t.dtype, t.shape, t.data, t.bytes, t.fl, t.wl);
    else w.add_tensor(t.name, t.dtype, t.shape, t.fl, t.wl);
  }
  for (const OpDesc& o : m.ops()) w.ops_.push_back(o);
  w.inputs = m.inputs();
  w.outputs = m.outputs();
  w.metadata = m.metadata();
  return w;
}

void ModelWriter::write_file(const std::string& path) const { write_bytes(path, finish()); }

void ModelWriter::write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw Error(path + ": cannot create (" + std::strerror(errno) + ")");
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    throw Error(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot move the finished file into place");
  }
}

}  // namespace slimrt
