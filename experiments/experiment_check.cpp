// The cross-key checks of a parsed experiment: what can be known from the
// configuration alone is rejected here, at file:line, before any work.
#include <algorithm>
#include <filesystem>

#include "experiments/experiment.h"
#include "experiments/stages.h"
#include "train/model_factory.h"

namespace slimlab::exp {

namespace {

struct Issues {
  std::string file;
  std::vector<ConfigIssue> issues;
  void error(int line, const std::string& key, const std::string& message) {
    issues.push_back({file, line, key, message});
  }
};

int line_of_key(const Experiment& e, const std::string& key) {
  auto it = e.lines.find(key);
  return it == e.lines.end() ? 0 : it->second;
}


// An image model on HAR data (and every other mix) cannot work: said at model.name's line.
void check_modality(const Experiment& e, Issues& out) {
  if (e.dataset.source.empty() || e.model.name.empty() || !e.model.onnx.empty()) return;
  std::string data, model;
  try {
    data = format_modality(data::parse_source(e.dataset.source).format);
    model = train::model_modality(e.model.name);
  } catch (const std::exception&) {
    return;  // reported by its own key's check
  }
  if (data.empty() || data == model) return;
  std::string fits;
  for (const std::string& m : train::model_names())
    if (train::model_modality(m) == data) fits += (fits.empty() ? "" : ", ") + m;
  const std::string article = model == "audio" ? "an " : "a ";
  out.error(line_of_key(e, "model.name"), "model.name",
            "'" + e.model.name + "' is " + article + model + " model but dataset.source '" + e.dataset.source +
                "' is " + data + " data (" + data + " models: " + fits + ")");
}

// [export] precision against the stages: a binary .slim needs binary weights, which
// only a binaryconnect or bnn stage makes. int8 / int16 of a float model is fine
// (post-training quantization at export).
void check_export(const Experiment& e, Issues& out) {
  if (!e.export_.enabled || e.export_.precision != "binary") return;
  const bool binary = std::any_of(e.stages.begin(), e.stages.end(), [](const StageConfig& s) {
    return s.type == "binaryconnect" || s.type == "bnn";
  });
  if (binary) return;
  const int line = line_of_key(e, "export.precision");
  out.error(line, "export.precision",
            "\"binary\" export needs binary weights: add a [[stage]] with type = \"binaryconnect\" or \"bnn\", or "
            "export \"fp32\", \"int8\" or \"int16\"");
}

// [model] onnx: the network is the file's; the built-in models' size keys do not apply.
void check_onnx_model(const Experiment& e, Issues& out) {
  if (e.model.onnx.empty()) {
    if (e.model.name == "onnx")
      out.error(line_of_key(e, "model.name"), "model.onnx", "model.name = \"onnx\" needs model.onnx = \"file.onnx\"");
    return;
  }
  if (e.model.width != 1.0)
    out.error(line_of_key(e, "model.width"), "model.width",
              "the width multiplier applies to the built-in models; an imported ONNX model keeps its own widths");
}

// [evaluation]: a cross-validation re-splits the data, so the source's own split
// cannot be kept, and leave-one-subject-out needs the split by subject.
void check_evaluation(const Experiment& e, Issues& out) {
  const std::string& p = e.evaluation.protocol;
  const auto& so = e.dataset.split_options;
  const bool cv = p != "holdout" || so.fold >= 0;
  if (cv && e.dataset.split == "given")
    out.error(line_of_key(e, "dataset.split"), "dataset.split",
              "split = \"given\" keeps the source's own test split; a cross-validation (evaluation.protocol = \"" +
                  p + "\") needs split = \"auto\", \"group\" or \"stratified\"");
  if (p == "loso" && e.dataset.split == "stratified")
    out.error(line_of_key(e, "evaluation.protocol"), "evaluation.protocol",
              "loso holds out whole subjects / speakers: it needs split = \"group\" or \"auto\", not \"stratified\"");
  if (p == "kfold" && so.folds == 1)
    out.error(line_of_key(e, "evaluation.folds"), "evaluation.folds", "kfold needs at least 2 folds");
  if (cv && !so.test_groups.empty())
    out.error(line_of_key(e, "dataset.test_groups"), "dataset.test_groups",
              "does not apply to a cross-validation: each fold chooses the test subjects");
  if (so.fold >= 0 && so.folds > 0 && so.fold >= so.folds)
    out.error(line_of_key(e, "evaluation.fold"), "evaluation.fold",
              "fold " + std::to_string(so.fold) + " of " + std::to_string(so.folds) + " folds (0 … " +
                  std::to_string(so.folds - 1) + ")");
}

// [augment]: an option that does not apply to the dataset's modality / input layout
// is an error naming it (never silently ignored). Channel names are not known before
// the data is loaded: the xyz-triplet check of augment.rotation_degrees runs then.
void check_augment(const Experiment& e, Issues& out) {
  const data::AugmentOptions& a = e.train.augment;
  std::error_code ec;
  if (!a.noise_dir.empty() && !std::filesystem::is_directory(a.noise_dir, ec))
    out.error(line_of_key(e, "augment.noise_dir"), "augment.noise_dir", "'" + a.noise_dir + "' is not a folder");
  if (!a.enabled() && a.noise_dir.empty()) return;
  std::string modality;
  try {
    modality = format_modality(data::parse_source(e.dataset.source).format);
  } catch (const std::exception&) {
    return;  // reported by dataset.source's own check
  }
  if (modality.empty()) return;
  for (const auto& [key, why] : data::augment_problems(a, data::modality_from_string(modality),
                                                       e.dataset.har_features, e.dataset.audio.type, nullptr))
    out.error(line_of_key(e, key), key, why + (key == "augment.noise_dir" ? "" : " (dataset.source '" +
                                                                              e.dataset.source + "')"));
}

}  // namespace

std::string format_modality(const std::string& format) {
  if (format == "synthetic-har" || format == "hmp" || format == "uci-har" || format == "wisdm" || format == "hhar")
    return "har";
  if (format == "synthetic-audio" || format == "wav") return "audio";
  if (format == "synthetic-vision" || format == "synthetic-vision-rgb" || format == "mnist" ||
      format == "fashion-mnist" || format == "cifar10" || format == "images")
    return "vision";
  return "";
}

std::vector<ConfigIssue> check_experiment(const Experiment& e) {
  Issues ctx{e.file.string(), {}};
  auto line = [&](const std::string& key) { return line_of_key(e, key); };
  if (e.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
          std::string::npos || e.name == "." || e.name == "..")
    ctx.error(line("name"), "name", "'" + e.name + "' is not usable as a folder name (letters, digits, '.', '_', '-')");

  // The source must name a known format / an existing dataset now, not after an hour of work.
  if (!e.dataset.source.empty()) {
    try {
      data::parse_source(e.dataset.source);
    } catch (const std::exception& ex) {
      ctx.error(line("dataset.source"), "dataset.source", ex.what());
    }
  }
  const auto& so = e.dataset.split_options;
  if (so.val_fraction + so.test_fraction >= 1.0)
    ctx.error(line("dataset.test_fraction"), "dataset.test_fraction",
              "val_fraction + test_fraction must be < 1 (no training data would be left)");
  for (const auto& g : so.test_groups)
    if (std::find(so.val_groups.begin(), so.val_groups.end(), g) != so.val_groups.end())
      ctx.error(line("dataset.val_groups"), "dataset.val_groups", "group '" + g + "' is also in test_groups");
  if ((!so.test_groups.empty() || !so.val_groups.empty()) && e.dataset.split == "stratified")
    ctx.error(line("dataset.split"), "dataset.split", "test_groups / val_groups need split = \"group\" or \"auto\"");

  const auto& a = e.dataset.audio;
  if (a.win_length > a.n_fft)
    ctx.error(line("dataset.win_length"), "dataset.win_length",
              "win_length " + std::to_string(a.win_length) + " exceeds n_fft " + std::to_string(a.n_fft));
  if (a.n_mels > a.n_fft / 2 + 1)
    ctx.error(line("dataset.n_mels"), "dataset.n_mels",
              "n_mels " + std::to_string(a.n_mels) + " exceeds n_fft/2 + 1 = " + std::to_string(a.n_fft / 2 + 1));
  if (a.type == "mfcc" && a.n_mfcc > a.n_mels)
    ctx.error(line("dataset.n_mfcc"), "dataset.n_mfcc",
              "n_mfcc " + std::to_string(a.n_mfcc) + " exceeds n_mels " + std::to_string(a.n_mels));
  const double fmax = a.fmax > 0 ? a.fmax : a.rate_hz / 2;
  if (a.fmax > a.rate_hz / 2)
    ctx.error(line("dataset.fmax"), "dataset.fmax",
              plain_text(a.fmax) + " Hz is above the Nyquist frequency " + plain_text(a.rate_hz / 2) + " Hz");
  else if (a.fmin >= fmax)
    ctx.error(line("dataset.fmin"), "dataset.fmin", "fmin must be below fmax (" + plain_text(fmax) + " Hz)");

  const auto& t = e.train;
  if (t.schedule == "cosine" && t.min_lr >= t.lr)
    ctx.error(line("train.min_lr"), "train.min_lr", "min_lr must be below lr for the cosine schedule");

  // Each stage type's own cross-key checks (compress/ describes them; experiments/stages.cpp).
  for (size_t i = 0; i < e.stages.size(); ++i) {
    const StageValidator* check = stage_validator(e.stages[i].type);
    if (!check) continue;
    for (const auto& [key, why] : (*check)(e.stages[i].params, int(i))) {
      const ConfigIssue issue = stage_issue(e, i, key, why);
      ctx.error(issue.line, issue.key, issue.message);
    }
  }
  check_modality(e, ctx);
  check_onnx_model(e, ctx);
  check_export(e, ctx);
  check_evaluation(e, ctx);
  check_augment(e, ctx);
  return ctx.issues;
}

}  // namespace slimlab::exp
