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

std::vector<uint8_t> ModelWriter::finish() const {
  flatbuffers::FlatBufferBuilder b(1 << 16);
  // Buffers first (largest part), each 64-byte aligned; buffer 0 stays empty.
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers;
  buffers.push_back(fb::CreateBuffer(b));
  std::vector<uint32_t> buffer_of(tensors_.size(), 0);
  for (size_t i = 0; i < tensors_.size(); ++i) {
    if (data_[i].empty()) continue;
    b.ForceVectorAlignment(data_[i].size(), 1, kAlign);
    auto v = b.CreateVector(data_[i].data(), data_[i].size());
    buffer_of[i] = uint32_t(buffers.size());
    buffers.push_back(fb::CreateBuffer(b, v, crc32c(data_[i].data(), data_[i].size())));
  }
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const TensorDesc& t = tensors_[i];
    tensors.push_back(fb::CreateTensorDirect(b, t.name.c_str(), t.dtype, &t.shape, t.fl, buffer_of[i], t.wl));
  }
  std::vector<flatbuffers::Offset<fb::Op>> ops;
  for (const OpDesc& o : ops_) {
    const FrontEndParams& f = o.frontend;
    const auto fe = f.present ? fb::CreateFrontEnd(b, f.sample_rate, f.target_rate, f.n_fft, f.win_length, f.hop_length,
                                                   f.n_mels, f.n_mfcc, f.fmin, f.fmax, f.intervals, f.fft_bins,
                                                   f.axes_per_sensor, f.stream_hop, f.smooth_window,
                                                   static_cast<fb::SmoothMode>(f.smooth_mode))
                              : flatbuffers::Offset<fb::FrontEnd>();
    ops.push_back(fb::CreateOpDirect(b, o.type, o.name.c_str(), &o.inputs, &o.outputs,
                                     o.kernel.empty() ? nullptr : &o.kernel, o.stride.empty() ? nullptr : &o.stride,
                                     o.padding.empty() ? nullptr : &o.padding,
                                     o.dilation.empty() ? nullptr : &o.dilation, o.groups, o.axis, o.begin, o.end,
                                     o.perm.empty() ? nullptr : &o.perm, o.min_value, o.max_value, o.activation,
                                     o.variant.empty() ? nullptr : o.variant.c_str(), o.gate_fl, o.gate_wl, o.cell_fl,
                                     o.cell_wl, o.pre_fl, o.pre_wl, fe));
  }
  const Metadata& md = metadata;
  std::vector<flatbuffers::Offset<flatbuffers::String>> names;
  for (const auto& s : md.class_names) names.push_back(b.CreateString(s));
  auto meta = fb::CreateMetadataDirect(b, md.model.c_str(), md.precision.c_str(), &names, md.feature_type.c_str(),
                                       md.sample_rate, md.window_length, &md.norm_mean, &md.norm_std,
                                       md.source_run.c_str(), md.accuracy, md.exporter.c_str());
  // Model.crc32c must be present (a placeholder 0 until the bytes are final): force it.
  b.ForceDefaults(true);
  auto root = fb::CreateModelDirect(b, kFormatVersion, &tensors, &buffers, &ops, &inputs, &outputs, meta, 0);
  b.ForceDefaults(false);
  fb::FinishModelBuffer(b, root);
  std::vector<uint8_t> out(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  const fb::Model* m = fb::GetModel(out.data());
  const uint32_t crc = detail::structure_crc32c(*m, out.data(), out.size());
  std::memcpy(out.data() + (detail::model_crc_field(*m) - out.data()), &crc, 4);  // little-endian hosts only (as the loader)
  return out;
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
