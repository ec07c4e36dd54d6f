#pragma once
// The in-memory forms a dataset passes through. Deliberately free of LibTorch:
// loaders, preprocessing and the HDF5 cache compile without it; torch_dataset.h
// wraps an ArraySet as a torch::data dataset for the trainer.
#include <cstdint>
#include <string>
#include <vector>

namespace slimlab::data {

enum class Modality { kHar, kAudio, kVision };
const char* to_string(Modality m);
Modality modality_from_string(const std::string& s);  // "har" | "audio" | "vision"

// The split a dataset ships an item in: MNIST's train / t10k files, CIFAR-10's
// data_batch_* / test_batch, UCI HAR's train/ and test/, an image folder with
// train/ val/ test/ subfolders, Speech Commands' validation_list.txt /
// testing_list.txt. kNone: the source ships no split for it.
enum class GivenSplit : int8_t { kNone = 0, kTrain, kVal, kTest };
const char* to_string(GivenSplit s);

// One variable-length multichannel time series: a HAR trial or an audio clip.
struct Recording {
  std::vector<float> samples;  // frames × channels, frame-major (interleaved)
  int channels = 1;
  double rate_hz = 0.0;
  int label = -1;        // index into RecordingSet::class_names
  std::string group;     // subject or speaker ("" when the format has none)
  std::string source;    // file it came from (plus a line range when useful)
  GivenSplit given_split = GivenSplit::kNone;

  int64_t frames() const { return channels > 0 ? int64_t(samples.size()) / channels : 0; }
  float at(int64_t frame, int channel) const { return samples[size_t(frame * channels + channel)]; }
};

struct RecordingSet {
  Modality modality = Modality::kHar;
  std::vector<std::string> class_names;
  std::vector<std::string> channel_names;  // e.g. acc_x, acc_y, acc_z
  std::vector<Recording> recordings;
  std::vector<std::string> notes;          // loader remarks shown by `data inspect`
};

// N samples of one fixed shape: images as loaded, or windows / features after
// preprocessing. Values are float32, labels index class_names, groups index
// group_names (-1 when the format carries no subject / speaker).
struct ArraySet {
  Modality modality = Modality::kVision;
  std::vector<int64_t> sample_shape;
  std::vector<float> values;  // size() × sample_numel(), sample-major
  std::vector<int32_t> labels;
  std::vector<int32_t> groups;
  std::vector<std::string> class_names;
  std::vector<std::string> group_names;
  std::vector<GivenSplit> given_splits;  // per sample; empty when the source ships no split

  size_t size() const { return labels.size(); }
  int64_t sample_numel() const {
    int64_t n = 1;
    for (int64_t d : sample_shape) n *= d;
    return n;
  }
  const float* sample(size_t i) const { return values.data() + i * size_t(sample_numel()); }
  float* sample(size_t i) { return values.data() + i * size_t(sample_numel()); }

  void reserve(size_t n);
  // Per-class sample counts, indexed like class_names.
  std::vector<int64_t> class_counts() const;
  // Keeps the samples at `indices`, in that order.
  ArraySet subset(const std::vector<size_t>& indices) const;
  // Appends `more` (same sample shape and classes), every sample of it tagged
  // `tag` (this set's own samples keep their tags; untagged ones become kNone).
  void append(const ArraySet& more, GivenSplit tag);
};

std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace slimlab::data
