#include "experiments/schema.h"

#include "experiments/stages.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <type_traits>

#include "experiments/experiment.h"
#include "experiments/schema_builder.h"

namespace slimlab::exp {

const char* to_string(ValueType t) {
  switch (t) {
    case ValueType::kBool: return "bool";
    case ValueType::kInt: return "int";
    case ValueType::kFloat: return "float";
    case ValueType::kString: return "string";
    case ValueType::kStringList: return "string list";
  }
  return "?";
}

ValueType type_of(const Value& v) {
  switch (v.index()) {
    case 0: return ValueType::kBool;
    case 1: return ValueType::kInt;
    case 2: return ValueType::kFloat;
    case 3: return ValueType::kString;
    default: return ValueType::kStringList;
  }
}

namespace {

// Shortest %g text that reads back to the same double.
std::string shortest(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  // Whole numbers print in full (10, 100000), not as 1e+01.
  if (v == std::floor(v) && std::fabs(v) < 1e16) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string toml_literal(const Value& v) {
  switch (v.index()) {
    case 0: return std::get<bool>(v) ? "true" : "false";
    case 1: return std::to_string(std::get<int64_t>(v));
    case 2: {
      std::string s = shortest(std::get<double>(v));
      // TOML needs a '.' or an exponent to read a float back as a float.
      if (s.find_first_of(".eni") == std::string::npos) s += ".0";
      return s;
    }
    case 3: return quote(std::get<std::string>(v));
    default: {
      std::string s = "[";
      const auto& list = std::get<std::vector<std::string>>(v);
      for (size_t i = 0; i < list.size(); ++i) s += (i ? ", " : "") + quote(list[i]);
      return s + "]";
    }
  }
}

std::string plain_text(const Value& v) {
  switch (v.index()) {
    case 0: return std::get<bool>(v) ? "true" : "false";
    case 1: return std::to_string(std::get<int64_t>(v));
    case 2: return shortest(std::get<double>(v));
    case 3: return std::get<std::string>(v);
    default: {
      std::string s;
      for (const auto& x : std::get<std::vector<std::string>>(v)) s += (s.empty() ? "" : ",") + x;
      return s;
    }
  }
}

bool coerce(const Value& v, ValueType type, Value* out, std::string* why) {
  const ValueType have = type_of(v);
  if (have == type) {
    *out = v;
    return true;
  }
  if (type == ValueType::kFloat && have == ValueType::kInt) {
    *out = double(std::get<int64_t>(v));
    return true;
  }
  if (why) {
    std::string got = have == ValueType::kString ? "the string " + toml_literal(v)
                      : have == ValueType::kStringList ? "a list"
                                                       : std::string("the ") + to_string(have) + " " + toml_literal(v);
    if (type == ValueType::kInt && have == ValueType::kFloat) got = "the float " + toml_literal(v);
    const char* article = type == ValueType::kInt ? "an " : "a ";
    *why = std::string("expected ") + article + to_string(type) + ", got " + got;
  }
  return false;
}

std::string SchemaEntry::table() const {
  const auto dot = key.find('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}

std::string SchemaEntry::name() const {
  const auto dot = key.find('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

std::string SchemaEntry::range_text() const {
  if (!choices.empty()) {
    std::string s = "one of: ";
    for (size_t i = 0; i < choices.size(); ++i)
      s += (i ? ", " : "") + (choices[i].empty() ? std::string("\"\"") : choices[i]);
    return s;
  }
  if (type != ValueType::kInt && type != ValueType::kFloat) return "";
  const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  if (has_min && has_max)
    return std::string(min_open ? "(" : "[") + shortest(min) + ", " + shortest(max) + (max_open ? ")" : "]");
  if (has_min) return std::string(min_open ? "> " : "≥ ") + shortest(min);
  if (has_max) return std::string(max_open ? "< " : "≤ ") + shortest(max);
  return "";
}

std::string SchemaEntry::check(const Value& v) const {
  if (type == ValueType::kInt || type == ValueType::kFloat) {
    const double x = type == ValueType::kInt ? double(std::get<int64_t>(v)) : std::get<double>(v);
    if (std::isnan(x)) return "nan is not allowed";
    const bool below = min_open ? !(x > min) : !(x >= min);
    const bool above = max_open ? !(x < max) : !(x <= max);
    if (below || above) return plain_text(v) + " is out of range " + range_text();
  }
  if (non_empty && type == ValueType::kString && std::get<std::string>(v).empty()) return "may not be empty";
  if (!choices.empty()) {
    const std::string text = plain_text(v);
    if (std::find(choices.begin(), choices.end(), text) == choices.end())
      return "'" + text + "' is not " + range_text();
  }
  return "";
}

size_t levenshtein(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> suggestions(const std::string& word, const std::vector<Candidate>& candidates) {
  const std::string w = lower(word);
  std::vector<std::pair<size_t, std::string>> hits;
  for (const Candidate& c : candidates) {
    size_t best = std::string::npos;
    std::vector<std::string> spellings = c.aliases;
    spellings.push_back(c.name);
    for (const std::string& raw : spellings) {
      const std::string s = lower(raw);
      const size_t d = levenshtein(w, s);
      size_t common = 0;
      while (common < w.size() && common < s.size() && w[common] == s[common]) ++common;
      const bool close = d <= 2 && d < w.size();  // "ab" is not a typo of "lr"
      const bool prefix = common >= 4 || (common >= 3 && (common == w.size() || common == s.size()));
      if (close || prefix) best = std::min(best, d);
    }
    if (best != std::string::npos && lower(c.name) != w) hits.emplace_back(best, c.name);
  }
  std::sort(hits.begin(), hits.end());
  std::vector<std::string> out;
  for (const auto& h : hits) {
    if (std::find(out.begin(), out.end(), h.second) == out.end()) out.push_back(h.second);
    if (out.size() == 3) break;
  }
  return out;
}

std::string did_you_mean(const std::string& word, const std::vector<Candidate>& candidates) {
  return did_you_mean(suggestions(word, candidates));
}

std::string did_you_mean(const std::vector<std::string>& s) {
  if (s.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += (i + 1 == s.size()) ? " or " : ", ";
    out += "'" + s[i] + "'";
  }
  return out + "?)";
}

// ---- the table ---------------------------------------------------------------

namespace {
using namespace schema_detail;

void add_top_level_keys(Keys& k) {
  // Top level.
  k.add({"name", SLIMLAB_REF(name), "Experiment name: the folder under runs/ (default: the file's stem)"})
      .non_empty()
      .e.default_text = "<file stem>";
  k.add({"description", SLIMLAB_REF(description), "Free text shown in run listings and the GUI"});
}

void add_dataset_keys(Keys& k) {
  // [dataset] — mirrors data::DatasetConfig.
  k.add({"dataset.source", SLIMLAB_REF(dataset.source),
       "synthetic:har|audio|vision|vision-rgb, a dataset folder (format detected), or format:path "
       "(mnist, fashion-mnist, cifar10, images, wav, hmp, uci-har, wisdm, hhar); relative to the working "
       "directory, ${VAR:-default} expanded"})
      .required()
      .alias({"path", "dataset", "data"});
  k.add({"dataset.subset", SLIMLAB_REF(dataset.subset),
       "File split to read where the format ships one (\"\": MNIST test, CIFAR-10 / UCI HAR all)"})
      .one_of({"", "train", "test", "all"});
  k.add({"dataset.synthetic_seed", SLIMLAB_REF(dataset.synthetic_seed), "Seed of the synthetic generator"});
  k.add({"dataset.synthetic_subjects", SLIMLAB_REF(dataset.synthetic_subjects),
         "Subjects (synthetic:har, default 10) or speakers (synthetic:audio, default 8); 0: the default"})
      .range(0, 1000);
  k.add({"dataset.synthetic_scale", SLIMLAB_REF(dataset.synthetic_scale),
       "Multiplies the synthetic sample counts (0.25 for a quick look)"})
      .range(0.01, 100);
  k.add({"dataset.window_seconds", SLIMLAB_REF(dataset.window.window_seconds), "HAR: window length in seconds"})
      .range(0.05, 600)
      .alias({"window", "window_s", "window_length"});
  k.add({"dataset.overlap", SLIMLAB_REF(dataset.window.overlap),
       "HAR: fraction of a window shared with the next one"})
      .range(0, 1, false, true)
      .alias({"window_overlap"});
  k.add({"dataset.har_rate_hz", SLIMLAB_REF(dataset.window.rate_hz),
       "HAR: resample every recording to this rate first (0 keeps the native rate)"})
      .range(0, 10000)
      .alias({"rate_hz", "sample_rate", "har_rate"});
  k.add({"dataset.drop_short", SLIMLAB_REF(dataset.window.drop_short),
       "HAR: drop recordings shorter than one window (false: one zero-padded window)"});
  k.add({"dataset.har_features", SLIMLAB_REF(dataset.har_features),
       "HAR: raw windows {C, W} or DeepSense STFT features {S, T, D·f·2}"})
      .one_of({"raw", "deepsense"});
  k.add({"dataset.deepsense_intervals", SLIMLAB_REF(dataset.deepsense.intervals),
       "HAR DeepSense: intervals T per window"})
      .range(1, 1000);
  k.add({"dataset.deepsense_fft_bins", SLIMLAB_REF(dataset.deepsense.fft_bins),
       "HAR DeepSense: DFT bins f kept per axis and interval"})
      .range(1, 1000);
  k.add({"dataset.deepsense_axes_per_sensor", SLIMLAB_REF(dataset.deepsense.axes_per_sensor),
       "HAR DeepSense: consecutive channels forming one sensor"})
      .range(1, 64);
  k.add({"dataset.hhar_rate_hz", SLIMLAB_REF(dataset.hhar_rate_hz),
       "HHAR: common rate the phone / watch streams are resampled to"})
      .range(0, 10000, true);
  k.add({"dataset.audio_rate_hz", SLIMLAB_REF(dataset.audio.rate_hz), "Audio: sampling rate every clip is brought to"})
      .range(1000, 192000);
  k.add({"dataset.audio_strict", SLIMLAB_REF(dataset.audio_strict),
       "Audio: a clip at another rate or with several channels is an error instead of being converted"});
  k.add({"dataset.audio_features", SLIMLAB_REF(dataset.audio.type), "Audio: log-mel spectrogram, MFCC or raw waveform"})
      .one_of({"logmel", "mfcc", "raw"});
  k.add({"dataset.clip_seconds", SLIMLAB_REF(dataset.audio.clip_seconds),
       "Audio: clips are centre-cropped / zero-padded to this length"})
      .range(0.05, 60);
  k.add({"dataset.n_fft", SLIMLAB_REF(dataset.audio.n_fft), "Audio: FFT size (a power of two is fastest)"})
      .range(8, 65536);
  k.add({"dataset.win_length", SLIMLAB_REF(dataset.audio.win_length), "Audio: Hann window length in samples (≤ n_fft)"})
      .range(1, 65536);
  k.add({"dataset.hop_length", SLIMLAB_REF(dataset.audio.hop_length), "Audio: samples between frames"})
      .range(1, 65536)
      .alias({"hop"});
  k.add({"dataset.n_mels", SLIMLAB_REF(dataset.audio.n_mels), "Audio: mel bands (≤ n_fft/2 + 1)"}).range(1, 512);
  k.add({"dataset.n_mfcc", SLIMLAB_REF(dataset.audio.n_mfcc), "Audio: MFCC coefficients (≤ n_mels)"}).range(1, 512);
  k.add({"dataset.fmin", SLIMLAB_REF(dataset.audio.fmin), "Audio: lowest mel filter edge in Hz"}).range(0, 96000);
  k.add({"dataset.fmax", SLIMLAB_REF(dataset.audio.fmax), "Audio: highest mel filter edge in Hz (0: rate/2)"})
      .range(0, 96000);
  k.add({"dataset.image_size", SLIMLAB_REF(dataset.image_size), "Image folders: resize to N×N (0 keeps the stored size)"})
      .range(0, 4096);
  k.add({"dataset.image_channels", SLIMLAB_REF(dataset.image_channels),
       "Image folders: 1 (grey) or 3 (RGB); 0 keeps the stored channels"})
      .one_of({"0", "1", "3"})
      .alias({"channels"});
  k.add({"dataset.split", SLIMLAB_REF(dataset.split),
       "auto (the split the source ships, else by subject/speaker for HAR and audio, stratified for images), given, group or stratified"})
      .one_of({"auto", "given", "group", "stratified"});
  k.add({"dataset.val_fraction", SLIMLAB_REF(dataset.split_options.val_fraction),
       "Validation fraction (of samples, or of groups)"})
      .range(0, 0.9)
      .alias({"val", "validation_fraction", "val_split"});
  k.add({"dataset.test_fraction", SLIMLAB_REF(dataset.split_options.test_fraction),
       "Test fraction (of samples, or of groups)"})
      .range(0, 0.9)
      .alias({"test", "test_split"});
  k.add({"dataset.split_seed", SLIMLAB_REF(dataset.split_options.seed), "Seed of the split"});
  k.add({"dataset.test_groups", SLIMLAB_REF(dataset.split_options.test_groups),
       "Group split: hold out exactly these subjects / speakers as the test split"});
  k.add({"dataset.val_groups", SLIMLAB_REF(dataset.split_options.val_groups),
       "Group split: use exactly these subjects / speakers as the validation split"});
  k.add({"dataset.normalize", SLIMLAB_REF(dataset.normalize),
       "Standardise with training-split statistics (false keeps raw values)"})
      .alias({"normalise", "normalization"});
  k.add({"dataset.normalize_per_group", SLIMLAB_REF(dataset.normalize_per_group),
         "Then standardise each subject / speaker with its own statistics (its training samples, or for a "
         "held-out one its own unlabelled samples)"})
      .alias({"per_subject_normalization", "per_speaker_normalization", "normalize_per_subject"});
  k.add({"dataset.cache", SLIMLAB_REF(dataset_cache), "Reuse / write the HDF5 cache of the prepared tensors"});
  k.add({"dataset.cache_dir", SLIMLAB_REF(dataset_cache_dir),
       "Folder of the HDF5 caches (relative to the working directory)"})
      .non_empty();
}

void add_model_keys(Keys& k) {
  // [model] — mirrors train::ModelConfig.
  k.add({"model.name", SLIMLAB_REF(model.name), "Architecture (\"onnx\": imported from model.onnx)"})
      .required_unless("model.onnx")
      .one_of({"deepsense", "cnn1d", "deepear_dnn", "audio_cnn", "lenet5", "vgg_small", "onnx"})
      .alias({"model", "arch", "architecture", "type"});
  k.add({"model.width", SLIMLAB_REF(model.width), "Width multiplier on every hidden layer (units rounded, at least 1)"})
      .range(0, 4, true)
      .alias({"width_multiplier", "alpha"});
  k.add({"model.dropout", SLIMLAB_REF(model.dropout), "Dropout probability"}).range(0, 1, false, true);
  k.add({"model.gru_hidden", SLIMLAB_REF(model.gru_hidden), "DeepSense GRU units (before the width multiplier)"})
      .range(1, 100000);
  k.add({"model.conv_filters", SLIMLAB_REF(model.conv_filters),
       "DeepSense / CNN1D filters (before the width multiplier)"})
      .range(1, 100000)
      .alias({"filters"});
  k.add({"model.hidden_units", SLIMLAB_REF(model.hidden_units), "DeepEar DNN hidden units (before the width multiplier)"})
      .range(1, 100000)
      .alias({"hidden"});
  k.add({"model.onnx", SLIMLAB_REF(model.onnx),
         "ONNX file the network is imported from (relative to the working directory; docs/ONNX.md)"})
      .alias({"onnx_file", "import"});
  k.add({"model.onnx_init", SLIMLAB_REF(model.onnx_init),
         "imported: fine-tune from the ONNX weights | random: re-initialise (LibTorch's defaults)"})
      .one_of({"imported", "random"});
}

void add_train_keys(Keys& k) {
  // [train] — mirrors train::TrainConfig (not the distributed fields: CLI only).
  k.add({"train.optimizer", SLIMLAB_REF(train.optimizer), "Optimiser"})
      .one_of({"sgd", "adam", "adamw", "rmsprop"})
      .alias({"optim", "opt"});
  k.add({"train.lr", SLIMLAB_REF(train.lr), "Learning rate (peak, after warm-up)"})
      .range(0, 10, true)
      .alias({"learning_rate", "learningrate", "rate"});
  k.add({"train.momentum", SLIMLAB_REF(train.momentum), "Momentum (sgd, rmsprop)"}).range(0, 1, false, true);
  k.add({"train.beta1", SLIMLAB_REF(train.beta1), "Adam / AdamW β1"}).range(0, 1, false, true);
  k.add({"train.beta2", SLIMLAB_REF(train.beta2), "Adam / AdamW β2"}).range(0, 1, false, true);
  k.add({"train.weight_decay", SLIMLAB_REF(train.weight_decay), "L2 penalty (decoupled for adamw)"})
      .range(0, 1)
      .alias({"wd", "l2"});
  k.add({"train.nesterov", SLIMLAB_REF(train.nesterov), "Nesterov momentum (sgd)"});
  k.add({"train.schedule", SLIMLAB_REF(train.schedule), "Learning-rate schedule"})
      .one_of({"none", "step", "cosine"})
      .alias({"scheduler", "lr_schedule"});
  k.add({"train.step_size", SLIMLAB_REF(train.step_size), "step schedule: epochs between decays"}).range(1, 100000);
  k.add({"train.gamma", SLIMLAB_REF(train.gamma), "step schedule: decay factor"}).range(0, 1, true);
  k.add({"train.warmup_epochs", SLIMLAB_REF(train.warmup_epochs),
       "Linear warm-up from lr/10 over this many epochs before the schedule"})
      .range(0, 100000)
      .alias({"warmup"});
  k.add({"train.min_lr", SLIMLAB_REF(train.min_lr), "cosine schedule: floor of the learning rate"}).at_least(0);
  k.add({"train.epochs", SLIMLAB_REF(train.epochs), "Training epochs"}).range(1, 100000).alias({"num_epochs", "n_epochs"});
  k.add({"train.batch_size", SLIMLAB_REF(train.batch_size), "Mini-batch size"})
      .range(1, 1 << 20)
      .alias({"batch", "bs"});
  k.add({"train.patience", SLIMLAB_REF(train.patience),
       "Early stopping: stop after this many epochs without a better val accuracy (0 = off)"})
      .range(0, 100000)
      .alias({"early_stopping"});
  k.add({"train.class_weighting", SLIMLAB_REF(train.class_weighting),
       "Weight the loss by inverse class frequency of the training split"})
      .alias({"class_weights", "balanced"});
  k.add({"train.grad_clip", SLIMLAB_REF(train.grad_clip), "Clip the global gradient norm (0 = off)"})
      .at_least(0)
      .alias({"clip", "clip_grad_norm", "max_grad_norm"});
  k.add({"train.seed", SLIMLAB_REF(train.seed), "Seed of initialisation, shuffling and dropout"});
  k.add({"train.threads", SLIMLAB_REF(train.threads), "Intra-op threads (0 = LibTorch's default)"})
      .range(0, 1024)
      .alias({"num_threads"});
}

void add_export_keys(Keys& k) {
  // [export]
  k.add({"export.enabled", SLIMLAB_REF(export_.enabled), "Export the final model to .slim for slimrt"});
  k.add({"export.precision", SLIMLAB_REF(export_.precision), "Precision of the exported weights"})
      .one_of({"fp32", "int8", "int16", "binary"});
}

// [evaluation]: protocol, folds, seeds (docs/EVALUATION.md).
void add_evaluation_keys(Keys& k) {
  k.add({"evaluation.protocol", SLIMLAB_REF(evaluation.protocol),
         "holdout (one train/val/test split), kfold (evaluation.folds parts, each the test split once) or loso "
         "(leave one subject / speaker out); `slimlab run` runs every fold"})
      .one_of({"holdout", "kfold", "loso"});
  k.add({"evaluation.folds", SLIMLAB_REF(dataset.split_options.folds),
         "Folds of kfold (0: 5); loso: 0 = one per subject / speaker, else subjects grouped into this many folds"})
      .range(0, 10000);
  k.add({"evaluation.fold", SLIMLAB_REF(dataset.split_options.fold),
         "This run's fold, 0 … folds−1 (−1: no cross-validation); `slimlab run` sets it for each fold"})
      .range(-1, 10000);
  k.add({"evaluation.repeats", SLIMLAB_REF(evaluation.repeats),
         "Runs per fold (or of the holdout split) with seeds train.seed, train.seed + 1, …; results as mean ± std"})
      .range(1, 1000)
      .alias({"seeds"});
  k.add({"evaluation.deterministic", SLIMLAB_REF(evaluation.deterministic),
         "Bit-identical reruns: one intra-op thread and LibTorch's deterministic algorithms (slower)"});
}

std::vector<SchemaEntry> build_schema() {
  Keys k;
  add_top_level_keys(k);
  add_dataset_keys(k);
  add_model_keys(k);
  add_train_keys(k);
  add_augment_keys(k);
  add_export_keys(k);
  add_evaluation_keys(k);
  std::vector<SchemaEntry> out;
  const Experiment defaults;
  for (Builder& x : k.b) {
    x.e.default_value = x.e.get(defaults);
    out.push_back(std::move(x.e));
  }
  return out;
}

#undef SLIMLAB_REF

struct StageRegistry {
  std::mutex mutex;
  std::map<std::string, std::vector<SchemaEntry>> types;
  std::map<std::string, StageValidator> validators;
  std::map<std::string, std::string> docs;
};
StageRegistry& stage_registry() {
  // The compression stages compress/ describes are there from the start.
  static StageRegistry* r = [] {
    auto* x = new StageRegistry;
    for (BuiltinStageType& t : builtin_stage_types()) {
      x->types[t.type] = std::move(t.keys);
      if (t.validate) x->validators[t.type] = std::move(t.validate);
      x->docs[t.type] = std::move(t.doc);
    }
    return x;
  }();
  return *r;
}

std::string pad(const std::string& s, size_t n) {
  // Pads by displayed characters (UTF-8 continuation bytes do not count).
  size_t shown = 0;
  for (unsigned char c : s) shown += (c & 0xC0) != 0x80;
  return shown >= n ? s + " " : s + std::string(n - shown, ' ');
}

void help_line(std::ostringstream& os, const std::string& key, const SchemaEntry& e) {
  std::string def = e.required                ? "(required)"
                    : !e.default_text.empty() ? "= " + e.default_text
                                              : "= " + toml_literal(e.default_value);
  std::string line = "  " + pad(key, 34) + pad(to_string(e.type), 12) + pad(def, 18) + e.range_text();
  while (!line.empty() && line.back() == ' ') line.pop_back();
  os << line << "\n      " << e.doc << "\n";
}

}  // namespace

const std::vector<SchemaEntry>& experiment_schema() {
  static const std::vector<SchemaEntry> schema = build_schema();
  return schema;
}

const SchemaEntry* find_key(const std::string& dotted) {
  for (const SchemaEntry& e : experiment_schema())
    if (e.key == dotted) return &e;
  return nullptr;
}

const std::vector<std::string>& experiment_tables() {
  static const std::vector<std::string> t = {"dataset", "model", "train", "augment", "stage", "export", "evaluation", "sweep"};
  return t;
}

void register_stage_type(const std::string& type, std::vector<SchemaEntry> keys) {
  auto& r = stage_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.types[type] = std::move(keys);
}

void register_stage_type(const std::string& type, std::vector<SchemaEntry> keys, StageValidator validate,
                         std::string doc) {
  auto& r = stage_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.types[type] = std::move(keys);
  if (validate) r.validators[type] = std::move(validate);
  else r.validators.erase(type);
  r.docs[type] = std::move(doc);
}

const StageValidator* stage_validator(const std::string& type) {
  auto& r = stage_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.validators.find(type);
  return it == r.validators.end() ? nullptr : &it->second;
}

std::string stage_doc(const std::string& type) {
  auto& r = stage_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.docs.find(type);
  return it == r.docs.end() ? "" : it->second;
}

std::vector<std::string> stage_types() {
  auto& r = stage_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> out;
  for (const auto& kv : r.types) out.push_back(kv.first);
  return out;
}

const std::vector<SchemaEntry>* stage_schema(const std::string& type) {
  auto& r = stage_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.types.find(type);
  // std::map nodes are stable: the pointer stays valid unless the type is re-registered.
  return it == r.types.end() ? nullptr : &it->second;
}

std::string help_keys() {
  std::ostringstream os;
  os << "Experiment keys (TOML). Types: an int is accepted where a float is wanted.\n"
        "Strings expand ${VAR} and ${VAR:-default}; relative paths are relative to the working directory.\n";
  std::string table = "-";
  for (const SchemaEntry& e : experiment_schema()) {
    if (e.table() != table) {
      table = e.table();
      os << "\n" << (table.empty() ? std::string("top level") : "[" + table + "]") << "\n";
    }
    help_line(os, e.key, e);
  }
  os << "\n[[stage]]  compression stages, applied in order; each has `type` and that type's keys\n";
  const auto types = stage_types();
  if (types.empty()) os << "  (no stage types yet — compression stages arrive with the compression issues)\n";
  for (const std::string& t : types) {
    const std::string doc = stage_doc(t);
    os << "  type = \"" << t << "\"" << (doc.empty() ? "" : "   " + doc) << "\n";
    for (const SchemaEntry& e : *stage_schema(t)) help_line(os, "  " + e.key, e);
  }
  os << "\n[sweep]  grid = { \"model.width\" = [0.25, 0.5, 1.0], \"train.lr\" = [1e-3, 3e-3] }   (cartesian product)\n"
        "         or points = [ { \"model.width\" = 0.25 }, { \"model.width\" = 0.5, \"train.epochs\" = 20 } ]\n"
        "         keys are dotted experiment keys; stage keys are \"stage.<index>.<key>\"\n";
  return os.str();
}

}  // namespace slimlab::exp
