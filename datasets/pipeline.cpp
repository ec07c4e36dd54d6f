#include "datasets/pipeline.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "datasets/audio_folder.h"
#include "datasets/cifar.h"
#include "datasets/errors.h"
#include "datasets/group_norm.h"
#include "datasets/har_formats.h"
#include "datasets/idx.h"
#include "datasets/image_folder.h"
#include "datasets/synthetic_audio.h"
#include "datasets/synthetic_har.h"
#include "datasets/synthetic_vision.h"

namespace fs = std::filesystem;

namespace slimlab::data {

namespace {

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// Either a set of recordings (HAR, audio) or of fixed-shape samples (images).
struct RawData {
  SourceSpec spec;
  bool is_recordings = true;
  RecordingSet recordings;
  ArraySet arrays;
};

int scaled(int n, double scale) { return std::max(1, int(std::lround(n * scale))); }

// `subset` picks one of the files a format ships its split in; elsewhere it means
// nothing, and saying it is an error rather than silently ignored.
void check_subset(const DatasetConfig& c, const std::string& format) {
  if (c.subset.empty()) return;
  if (format != "mnist" && format != "fashion-mnist" && format != "cifar10" && format != "uci-har")
    throw std::invalid_argument("subset = \"" + c.subset + "\" does not apply to " + format + " source '" + c.source +
                                "': only mnist, fashion-mnist, cifar10 and uci-har ship their split as files" +
                                (format == "images" ? " (for an image folder with train/ and test/ subfolders, the "
                                                      "given split is used by default; point at one subfolder "
                                                      "to use only it)"
                                                    : ""));
}

RawData load_raw(const DatasetConfig& c) {
  RawData raw;
  raw.spec = parse_source(c.source);
  const std::string& f = raw.spec.format;
  const std::string& p = raw.spec.path;
  check_subset(c, f);
  if (f == "synthetic-har") {
    SyntheticHarOptions o;
    o.seed = c.synthetic_seed;
    o.recordings_per_activity = scaled(o.recordings_per_activity, c.synthetic_scale);
    if (c.synthetic_subjects > 0) o.num_subjects = c.synthetic_subjects;
    raw.recordings = make_synthetic_har(o);
  } else if (f == "synthetic-audio") {
    SyntheticAudioOptions o;
    o.seed = c.synthetic_seed;
    o.rate_hz = c.audio.rate_hz;
    o.clips_per_class_per_speaker = scaled(o.clips_per_class_per_speaker, c.synthetic_scale);
    if (c.synthetic_subjects > 0) o.num_speakers = c.synthetic_subjects;
    raw.recordings = make_synthetic_audio(o);
  } else if (f == "synthetic-vision" || f == "synthetic-vision-rgb") {
    SyntheticVisionOptions o;
    o.seed = c.synthetic_seed;
    if (f == "synthetic-vision-rgb") {
      o.image_size = 32;
      o.channels = 3;
    }
    o.samples_per_class = scaled(o.samples_per_class, c.synthetic_scale);
    raw.is_recordings = false;
    raw.arrays = make_synthetic_vision(o);
  } else if (f == "mnist" || f == "fashion-mnist") {
    raw.is_recordings = false;
    // Default: both distributed splits when both are there (the given split), else the one that is.
    std::string subset = c.subset;
    if (subset.empty())
      subset = mnist_dir_has(p, "train") && mnist_dir_has(p, "test") ? "all"
               : mnist_dir_has(p, "test")                            ? "test"
                                                                     : "train";
    raw.arrays = load_mnist_dir(p, subset, f == "fashion-mnist");
  } else if (f == "cifar10") {
    raw.is_recordings = false;
    raw.arrays = load_cifar10_dir(p, c.subset.empty() ? "all" : c.subset);
  } else if (f == "images") {
    raw.is_recordings = false;
    ImageFolderOptions o;
    o.size = c.image_size;
    o.channels = c.image_channels;
    raw.arrays = load_image_folder(p, o);
  } else if (f == "wav") {
    AudioFolderOptions o;
    o.rate_hz = c.audio.rate_hz;
    o.strict = c.audio_strict;
    raw.recordings = load_audio_folder(p, o);
  } else if (f == "hmp") {
    raw.recordings = load_hmp(p);
  } else if (f == "uci-har") {
    raw.recordings = load_uci_har(p, c.subset.empty() ? "all" : c.subset);
  } else if (f == "wisdm") {
    raw.recordings = load_wisdm(p);
  } else if (f == "hhar") {
    raw.recordings = load_hhar(p, c.hhar_rate_hz);
  } else {
    throw std::invalid_argument("source: unknown format '" + f + "'");
  }
  return raw;
}

SourceInfo describe_raw(const RawData& raw) {
  SourceInfo info;
  info.spec = raw.spec;
  if (raw.is_recordings) {
    const RecordingSet& r = raw.recordings;
    info.modality = r.modality;
    info.unit = r.modality == Modality::kAudio ? "clips" : "recordings";
    info.items = r.recordings.size();
    info.class_names = r.class_names;
    info.class_counts.assign(r.class_names.size(), 0);
    info.channel_names = r.channel_names;
    info.notes = r.notes;
    std::set<std::string> groups;
    double seconds = 0;
    for (const Recording& rec : r.recordings) {
      if (rec.label >= 0 && size_t(rec.label) < info.class_counts.size()) ++info.class_counts[size_t(rec.label)];
      if (!rec.group.empty()) groups.insert(rec.group);
      if (rec.rate_hz > 0) seconds += double(rec.frames()) / rec.rate_hz;
      if (info.rate_hz == 0) info.rate_hz = rec.rate_hz;
    }
    info.groups = groups.size();
    info.group_kind = groups.empty() ? "" : (r.modality == Modality::kAudio ? "speakers" : "subjects");
    info.mean_seconds = r.recordings.empty() ? 0 : seconds / double(r.recordings.size());
  } else {
    const ArraySet& a = raw.arrays;
    info.modality = a.modality;
    info.unit = "images";
    info.items = a.size();
    info.class_names = a.class_names;
    info.class_counts = a.class_counts();
    info.image_shape = a.sample_shape;
    info.groups = a.group_names.size();
    info.group_kind = a.group_names.empty() ? "" : "writers";
  }
  if (!raw.spec.path.empty()) info.fingerprint = fingerprint_path(raw.spec.path);
  return info;
}

// Recording features for the chosen recordings (audio: one sample per clip).
ArraySet audio_samples(const RecordingSet& set, const std::vector<size_t>& idx, const AudioFeatureOptions& o,
                       const std::vector<std::string>& group_names) {
  AudioFeatureExtractor extractor(o);
  ArraySet out;
  out.modality = Modality::kAudio;
  out.sample_shape = extractor.feature_shape();
  out.class_names = set.class_names;
  out.group_names = group_names;
  const size_t n = size_t(out.sample_numel());
  out.values.resize(idx.size() * n);
  std::map<std::string, int32_t> gid;
  for (size_t i = 0; i < group_names.size(); ++i) gid[group_names[i]] = int32_t(i);
  for (size_t k = 0; k < idx.size(); ++k) {
    const Recording& r = set.recordings[idx[k]];
    if (r.channels != 1) throw DataError(r.source, "audio features need mono clips");
    if (std::abs(r.rate_hz - o.rate_hz) > 1e-6)
      throw DataError(r.source, "clip is at " + fmt(r.rate_hz) + " Hz but features are configured for " +
                                    fmt(o.rate_hz) + " Hz");
    extractor.extract(r.samples.data(), r.frames(), out.values.data() + k * n);
    out.labels.push_back(r.label);
    auto it = gid.find(r.group);
    out.groups.push_back(it == gid.end() ? -1 : it->second);
  }
  return out;
}

std::vector<std::string> sorted_groups(const RecordingSet& set) {
  std::set<std::string> g;
  for (const auto& r : set.recordings)
    if (!r.group.empty()) g.insert(r.group);
  return {g.begin(), g.end()};
}

// The axis along which statistics are kept, per feature layout.
int normalization_axis(Modality m, const std::string& har_features) {
  switch (m) {
    case Modality::kVision: return 0;                                // per colour channel
    case Modality::kHar: return har_features == "deepsense" ? 2 : 0;  // per feature / per axis
    case Modality::kAudio: return 1;                                 // per mel band / coefficient
  }
  return 0;
}

}  // namespace

const std::vector<std::string>& source_formats() {
  static const std::vector<std::string> f = {
      "synthetic:har", "synthetic:audio", "synthetic:vision", "synthetic:vision-rgb", "mnist", "fashion-mnist",
      "cifar10",       "images",          "wav",              "hmp",                  "uci-har", "wisdm",
      "hhar"};
  return f;
}

SourceSpec parse_source(const std::string& text) {
  SourceSpec s;
  s.text = text;
  if (text.empty()) throw std::invalid_argument("source: empty (try synthetic:har or a dataset path)");
  if (starts_with(text, "synthetic:")) {
    const std::string kind = text.substr(10);
    if (kind != "har" && kind != "audio" && kind != "vision" && kind != "vision-rgb")
      throw std::invalid_argument("source '" + text +
                                  "': unknown synthetic kind (expected har, audio, vision or vision-rgb)");
    s.format = "synthetic-" + kind;
    return s;
  }
  const auto colon = text.find(':');
  if (colon != std::string::npos) {
    const std::string prefix = text.substr(0, colon);
    const auto& known = source_formats();
    if (std::find(known.begin(), known.end(), prefix) != known.end()) {
      s.format = prefix;
      s.path = text.substr(colon + 1);
      if (!fs::exists(s.path)) throw DataError(s.path, "no such file or directory");
      return s;
    }
  }
  s.path = text;
  if (!fs::exists(s.path)) throw DataError(s.path, "no such file or directory");
  if (looks_like_mnist_dir(s.path)) s.format = "mnist";
  else if (looks_like_cifar10_dir(s.path)) s.format = "cifar10";
  else if (std::string h = detect_har_format(s.path); !h.empty()) s.format = h == "uci_har" ? "uci-har" : h;
  else if (looks_like_audio_folder(s.path)) s.format = "wav";
  else if (looks_like_image_folder(s.path)) s.format = "images";
  else
    throw DataError(s.path, "cannot tell the dataset format from its layout; prefix the path with one of: "
                            "mnist:, fashion-mnist:, cifar10:, images:, wav:, hmp:, uci-har:, wisdm:, hhar:");
  return s;
}

std::vector<std::pair<std::string, std::string>> DatasetConfig::describe(Modality m) const {
  std::vector<std::pair<std::string, std::string>> d;
  d.emplace_back("source", source);
  if (!subset.empty()) d.emplace_back("subset", subset);
  if (starts_with(source, "synthetic:")) {
    d.emplace_back("synthetic_seed", std::to_string(synthetic_seed));
    d.emplace_back("synthetic_scale", fmt(synthetic_scale));
    if (synthetic_subjects > 0) d.emplace_back("synthetic_subjects", std::to_string(synthetic_subjects));
  }
  if (m == Modality::kHar) {
    d.emplace_back("window_seconds", fmt(window.window_seconds));
    d.emplace_back("window_overlap", fmt(window.overlap));
    d.emplace_back("window_rate_hz", fmt(window.rate_hz));
    d.emplace_back("window_drop_short", window.drop_short ? "true" : "false");
    d.emplace_back("har_features", har_features);
    if (har_features == "deepsense") {
      d.emplace_back("deepsense_intervals", std::to_string(deepsense.intervals));
      d.emplace_back("deepsense_fft_bins", std::to_string(deepsense.fft_bins));
      d.emplace_back("deepsense_axes_per_sensor", std::to_string(deepsense.axes_per_sensor));
    }
    if (parse_source(source).format == "hhar") d.emplace_back("hhar_rate_hz", fmt(hhar_rate_hz));
  }
  if (m == Modality::kAudio) {
    d.emplace_back("audio_strict", audio_strict ? "true" : "false");
    d.emplace_back("audio_features", audio.type);
    d.emplace_back("audio_rate_hz", fmt(audio.rate_hz));
    d.emplace_back("audio_clip_seconds", fmt(audio.clip_seconds));
    d.emplace_back("audio_n_fft", std::to_string(audio.n_fft));
    d.emplace_back("audio_win_length", std::to_string(audio.win_length));
    d.emplace_back("audio_hop_length", std::to_string(audio.hop_length));
    d.emplace_back("audio_n_mels", std::to_string(audio.n_mels));
    d.emplace_back("audio_n_mfcc", std::to_string(audio.n_mfcc));
    d.emplace_back("audio_fmin", fmt(audio.fmin));
    d.emplace_back("audio_fmax", fmt(audio.fmax));
  }
  if (m == Modality::kVision) {
    d.emplace_back("image_size", std::to_string(image_size));
    d.emplace_back("image_channels", std::to_string(image_channels));
  }
  d.emplace_back("split", split);
  d.emplace_back("split_val_fraction", fmt(split_options.val_fraction));
  d.emplace_back("split_test_fraction", fmt(split_options.test_fraction));
  d.emplace_back("split_seed", std::to_string(split_options.seed));
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  };
  if (!split_options.test_groups.empty()) d.emplace_back("split_test_groups", join(split_options.test_groups));
  if (!split_options.val_groups.empty()) d.emplace_back("split_val_groups", join(split_options.val_groups));
  if (split_options.fold >= 0) {
    d.emplace_back("split_folds", split_options.folds > 0 ? std::to_string(split_options.folds) : "one per group");
    d.emplace_back("split_fold", std::to_string(split_options.fold));
  }
  d.emplace_back("normalize", normalize ? "true" : "false");
  if (normalize_per_group) d.emplace_back("normalize_per_group", "true");
  return d;
}

namespace {

// What the split sees of each recording / image: its label, group and shipped split.
struct SplitItems {
  std::vector<int32_t> labels;
  std::vector<std::string> groups;
  std::vector<GivenSplit> tags;
  bool ships_split = false, all_grouped = false;
};

SplitItems split_items(const RawData& raw) {
  SplitItems it;
  if (raw.is_recordings) {
    for (const auto& r : raw.recordings.recordings) {
      it.labels.push_back(r.label);
      it.groups.push_back(r.group);
      it.tags.push_back(r.given_split);
    }
  } else {
    it.labels = raw.arrays.labels;
    for (int32_t g : raw.arrays.groups)
      it.groups.push_back(g >= 0 && size_t(g) < raw.arrays.group_names.size() ? raw.arrays.group_names[size_t(g)]
                                                                               : "");
    it.tags = raw.arrays.given_splits;
    it.tags.resize(it.labels.size(), GivenSplit::kNone);
  }
  const std::string where = raw.spec.path.empty() ? raw.spec.text : raw.spec.path;
  if (it.labels.empty()) throw DataError(where, "the dataset is empty");
  it.ships_split = std::any_of(it.tags.begin(), it.tags.end(), [](GivenSplit t) { return t != GivenSplit::kNone; });
  it.all_grouped = std::none_of(it.groups.begin(), it.groups.end(), [](const std::string& g) { return g.empty(); });
  return it;
}

// The split method `split = "auto"` resolves to (cross-validation re-splits
// everything: by subject / speaker where every item has one).
std::string resolve_split(const DatasetConfig& c, const SplitItems& it, Modality m) {
  if (c.split != "auto") return c.split;
  if (c.split_options.fold >= 0) return it.all_grouped && m != Modality::kVision ? "group" : "stratified";
  return it.ships_split ? "given" : (m == Modality::kVision) ? "stratified" : "group";
}

}  // namespace

int cross_validation_folds(const DatasetConfig& c) {
  const RawData raw = load_raw(c);
  const SplitItems it = split_items(raw);
  const std::string method = resolve_split(c, it, describe_raw(raw).modality);
  if (method == "group" && c.split_options.folds == 0) return fold_count(it.groups, c.split_options);
  return c.split_options.folds;
}

PreparedData prepare(const DatasetConfig& c) {
  RawData raw = load_raw(c);
  PreparedData out;
  out.source = describe_raw(raw);
  const Modality m = out.source.modality;
  out.parameters = c.describe(m);

  // 1. Split the recordings / images: the split the source ships, or a seeded one.
  SplitItems items = split_items(raw);
  const std::vector<int32_t>& labels = items.labels;
  const std::vector<std::string>& groups = items.groups;
  const std::vector<GivenSplit>& tags = items.tags;
  const bool all_grouped = items.all_grouped;
  const std::string method = resolve_split(c, items, m);
  if (method == "given" && c.split_options.fold >= 0)
    throw std::invalid_argument("split = \"given\" keeps the source's own test split, so it cannot be a "
                                "cross-validation fold; use split = \"group\" or \"stratified\" (or auto)");
  SplitOptions so = c.split_options;
  SplitIndices split;
  if (method == "given") {
    if (!items.ships_split)
      throw DataError(raw.spec.path.empty() ? raw.spec.text : raw.spec.path, "split = \"given\", but this " + raw.spec.format +
                                 " source ships no split; use split = \"group\" or \"stratified\"");
    // Validation, when the source has none, comes from the training items: by
    // subject / speaker where every item has one, else stratified.
    if (!so.test_groups.empty())
      throw std::invalid_argument("split_test_groups does not apply to split = \"given\" (the source's own test "
                                  "split is used); set split = \"group\" to choose the test subjects");
    so.method = all_grouped ? SplitMethod::kByGroup : SplitMethod::kStratified;
    split = make_given_split(labels, groups, tags, so);
    out.split_method = "given";
    out.parameters.erase(std::remove_if(out.parameters.begin(), out.parameters.end(),
                                        [](const auto& kv) { return kv.first == "split_test_fraction"; }),
                         out.parameters.end());
  } else {
    so.method = split_method_from_string(method);
    split = make_split(labels, groups, so);
    out.split_method = to_string(so.method);
  }

  // 2. Windows / features per split.
  if (raw.is_recordings) {
    const auto group_names = sorted_groups(raw.recordings);
    auto build = [&](const std::vector<size_t>& idx, const char* split_name) {
      if (m == Modality::kAudio) return audio_samples(raw.recordings, idx, c.audio, group_names);
      std::vector<std::string> notes;
      ArraySet w = make_windows(raw.recordings, idx, c.window, &notes);
      for (const auto& n : notes) out.source.notes.push_back(std::string(split_name) + " " + n);
      if (c.har_features == "deepsense") return deepsense_features(w, c.deepsense);
      if (c.har_features != "raw")
        throw std::invalid_argument("har_features: unknown value '" + c.har_features + "' (expected raw or deepsense)");
      return w;
    };
    out.train = build(split.train, "train");
    out.val = build(split.val, "val");
    out.test = build(split.test, "test");
  } else {
    out.train = raw.arrays.subset(split.train);
    out.val = raw.arrays.subset(split.val);
    out.test = raw.arrays.subset(split.test);
  }
  if (out.train.size() == 0)
    throw DataError(raw.spec.path.empty() ? raw.spec.text : raw.spec.path,
                    "the training split has no samples (recordings shorter than one window?)");

  // 3. Normalisation from the training split only.
  if (c.normalize) {
    out.normalization = Normalization::fit(out.train, normalization_axis(m, c.har_features));
    out.normalization.apply(out.train);
    out.normalization.apply(out.val);
    out.normalization.apply(out.test);
  }
  if (c.normalize_per_group)
    out.group_normalization = normalize_per_group(out.train, out.val, out.test, out.normalization,
                                                  normalization_axis(m, c.har_features));
  return out;
}

std::string fingerprint_path(const std::string& path) {
  // FNV-1a over (relative name, size, mtime) of every regular file, in name order.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::string& s) {
    for (unsigned char ch : s) {
      h ^= ch;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  std::vector<std::pair<std::string, fs::path>> files;
  const fs::path root(path);
  if (fs::is_regular_file(root)) {
    files.emplace_back(root.filename().string(), root);
  } else if (fs::is_directory(root)) {
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied);
         it != fs::recursive_directory_iterator(); ++it)
      if (it->is_regular_file()) files.emplace_back(fs::relative(it->path(), root).generic_string(), it->path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& [rel, p] : files) {
    std::error_code ec;
    mix(rel);
    mix(std::to_string(fs::file_size(p, ec)));
    mix(std::to_string(fs::last_write_time(p, ec).time_since_epoch().count()));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx-%zu", static_cast<unsigned long long>(h), files.size());
  return buf;
}

}  // namespace slimlab::data
