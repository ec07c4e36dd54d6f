#include "datasets/types.h"

#include <stdexcept>

namespace slimlab::data {

const char* to_string(Modality m) {
  switch (m) {
    case Modality::kHar: return "har";
    case Modality::kAudio: return "audio";
    case Modality::kVision: return "vision";
  }
  return "?";
}

Modality modality_from_string(const std::string& s) {
  if (s == "har") return Modality::kHar;
  if (s == "audio") return Modality::kAudio;
  if (s == "vision") return Modality::kVision;
  throw std::invalid_argument("unknown modality '" + s + "' (expected har, audio or vision)");
}

const char* to_string(GivenSplit s) {
  switch (s) {
    case GivenSplit::kNone: return "none";
    case GivenSplit::kTrain: return "train";
    case GivenSplit::kVal: return "val";
    case GivenSplit::kTest: return "test";
  }
  return "?";
}

void ArraySet::reserve(size_t n) {
  values.reserve(n * size_t(sample_numel()));
  labels.reserve(n);
  groups.reserve(n);
}

std::vector<int64_t> ArraySet::class_counts() const {
  std::vector<int64_t> counts(class_names.size(), 0);
  for (int32_t l : labels)
    if (l >= 0 && size_t(l) < counts.size()) ++counts[size_t(l)];
  return counts;
}

ArraySet ArraySet::subset(const std::vector<size_t>& indices) const {
  ArraySet out;
  out.modality = modality;
  out.sample_shape = sample_shape;
  out.class_names = class_names;
  out.group_names = group_names;
  const size_t n = size_t(sample_numel());
  out.values.resize(indices.size() * n);
  out.labels.reserve(indices.size());
  out.groups.reserve(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    const size_t i = indices[k];
    if (i >= size()) throw std::out_of_range("ArraySet::subset: index out of range");
    std::copy(sample(i), sample(i) + n, out.values.begin() + long(k * n));
    out.labels.push_back(labels[i]);
    out.groups.push_back(groups.empty() ? -1 : groups[i]);
    if (!given_splits.empty()) out.given_splits.push_back(given_splits[i]);
  }
  return out;
}

void ArraySet::append(const ArraySet& more, GivenSplit tag) {
  if (more.size() == 0) return;
  if (size() == 0) {
    *this = more;
    given_splits.assign(more.size(), tag);
    return;
  }
  if (more.sample_shape != sample_shape)
    throw std::invalid_argument("ArraySet::append: sample shape " + shape_to_string(more.sample_shape) +
                                " differs from " + shape_to_string(sample_shape));
  given_splits.resize(size(), GivenSplit::kNone);
  values.insert(values.end(), more.values.begin(), more.values.end());
  labels.insert(labels.end(), more.labels.begin(), more.labels.end());
  for (size_t i = 0; i < more.size(); ++i) groups.push_back(more.groups.empty() ? -1 : more.groups[i]);
  given_splits.resize(size(), tag);
}

std::string shape_to_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += "×";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace slimlab::data
