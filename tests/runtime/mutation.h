#pragma once
// Damaged .slim files for the integrity tests (test_integrity.cpp): mutations of a good
// file — bit flips, truncations, blown-up size fields, splices — each loaded and run on
// a fixed input; counted as rejected (a slimrt::Error at load or prepare), accepted, and
// accepted but computing a different output than the original.
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "slimrt/runtime.h"
#include "slimrt/writer.h"

namespace slimrt::test {

// The same model written again by ModelWriter (today's format version, with checksums):
// a format-version-1 file upgraded.
inline std::vector<uint8_t> rewrite(const Model& m) {
  ModelWriter w;
  for (const TensorDesc& t : m.tensors()) {
    if (t.constant()) w.add_constant(t.name, t.dtype, t.shape, t.data, t.bytes, t.fl, t.wl);
    else w.add_tensor(t.name, t.dtype, t.shape, t.fl, t.wl);
  }
  for (const OpDesc& op : m.ops()) w.add_op(op.type, op.name, op.inputs, op.outputs) = op;
  w.inputs = m.inputs();
  w.outputs = m.outputs();
  w.metadata = m.metadata();
  return w.finish();
}

// Every output of the model for the input x[i] = sin(0.31 i) (all inputs), concatenated.
// Throws slimrt::Error when the file is rejected.
inline std::vector<float> outputs_of(const std::vector<uint8_t>& bytes, const LoadOptions& load = {}) {
  auto m = Model::from_memory(bytes.data(), bytes.size(), true, load);
  Interpreter in(m);
  for (size_t i = 0; i < in.num_inputs(); ++i) {
    std::vector<float> x(size_t(in.input(i).numel));
    for (size_t k = 0; k < x.size(); ++k) x[k] = float(std::sin(0.31 * double(k)));
    in.set_input(i, x.data(), x.size());
  }
  in.invoke();
  std::vector<float> y;
  for (size_t i = 0; i < in.num_outputs(); ++i) {
    std::vector<float> o(size_t(in.output(i).numel));
    in.get_output(i, o.data(), o.size());
    y.insert(y.end(), o.begin(), o.end());
  }
  return y;
}

// File offsets of the good file's size fields: the length prefix of every vector and
// string the loader reads (buffer data, shapes, names, op inputs/outputs, class names).
inline std::vector<size_t> size_fields(const std::vector<uint8_t>& bytes) {
  std::vector<size_t> at;
  auto add = [&](const void* v) {
    if (v) at.push_back(size_t(static_cast<const uint8_t*>(v) - bytes.data()));
  };
  const fb::Model* m = fb::GetModel(bytes.data());
  add(m->tensors());
  add(m->buffers());
  add(m->ops());
  for (const fb::Buffer* b : *m->buffers()) add(b->data());
  for (const fb::Tensor* t : *m->tensors()) add(t->shape()), add(t->name());
  for (const fb::Op* o : *m->ops()) add(o->inputs()), add(o->outputs()), add(o->name()), add(o->kernel());
  if (m->metadata()) add(m->metadata()->class_names());
  return at;
}

// Mutation `kind` (0 bit flips, 1 truncation, 2 blown-up size field, 3 splice) of `good`.
inline std::vector<uint8_t> mutate(const std::vector<uint8_t>& good, const std::vector<size_t>& fields, int kind,
                                   std::mt19937& rng) {
  std::vector<uint8_t> b = good;
  auto pick = [&](size_t n) { return size_t(rng() % n); };
  if (kind == 0) {  // 1-4 bit flips anywhere
    for (int f = 0, n = 1 + int(pick(4)); f < n; ++f) b[pick(b.size())] ^= uint8_t(1u << pick(8));
  } else if (kind == 1) {  // cut anywhere
    b.resize(pick(b.size()));
  } else if (kind == 2) {  // a size field (or any aligned word) made huge or off by a little
    const size_t at = pick(2) && !fields.empty() ? fields[pick(fields.size())] : pick(b.size() / 4) * 4;
    uint32_t v;
    std::memcpy(&v, b.data() + at, 4);
    const uint32_t blown[] = {0xFFFFFFFFu, 0x7FFFFFFFu, v * 1000u + 1u, v + 1u, v + 64u, v ? v - 1u : 1u, 1u << 30};
    v = blown[pick(sizeof blown / sizeof blown[0])];
    std::memcpy(b.data() + at, &v, 4);
  } else {  // a chunk of the file copied over another place, or inserted there
    const size_t len = 1 + pick(64), from = pick(b.size() - len), to = pick(b.size() - len);
    const std::vector<uint8_t> chunk(b.begin() + long(from), b.begin() + long(from + len));
    if (pick(2)) std::copy(chunk.begin(), chunk.end(), b.begin() + long(to));
    else b.insert(b.begin() + long(to), chunk.begin(), chunk.end());
  }
  return b;
}

struct MutationCounts {
  int total = 0, rejected = 0, accepted = 0, different = 0;
  std::string str() const {
    return std::to_string(total) + " mutations: " + std::to_string(rejected) + " rejected, " +
           std::to_string(accepted) + " accepted, " + std::to_string(different) + " of those computing a different output";
  }
};

// `n` mutations of `good` (kinds in turn), loaded with `load`.
inline MutationCounts mutation_experiment(const std::vector<uint8_t>& good, int n, uint32_t seed,
                                          const LoadOptions& load = {}) {
  const std::vector<float> want = outputs_of(good, load);
  const std::vector<size_t> fields = size_fields(good);
  std::mt19937 rng(seed);
  MutationCounts c;
  for (int i = 0; i < n; ++i, ++c.total) {
    const std::vector<uint8_t> bad = mutate(good, fields, i % 4, rng);
    std::vector<float> got;
    try {
      got = outputs_of(bad, load);
    } catch (const Error&) {
      ++c.rejected;
      continue;
    }
    ++c.accepted;
    if (got.size() != want.size() || std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) != 0)
      ++c.different;
  }
  return c;
}

}  // namespace slimrt::test
