#include "gui/model/new_experiment.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "datasets/atomic_file.h"
#include "experiments/experiment.h"
#include "experiments/sweep.h"
#include "train/model_factory.h"
#include "train/models/models.h"

namespace fs = std::filesystem;

namespace slimlab::gui {

namespace {

const std::string kDefaultName = "new_experiment";

// Keys that belong to one modality, and model sizes that belong to some models.
const std::map<std::string, std::string>& key_modality() {
  static const std::map<std::string, std::string> m = {
      {"dataset.window_seconds", "har"},     {"dataset.overlap", "har"},
      {"dataset.har_rate_hz", "har"},        {"dataset.drop_short", "har"},
      {"dataset.har_features", "har"},       {"dataset.deepsense_intervals", "har"},
      {"dataset.deepsense_fft_bins", "har"}, {"dataset.deepsense_axes_per_sensor", "har"},
      {"dataset.hhar_rate_hz", "har"},       {"dataset.audio_rate_hz", "audio"},
      {"dataset.audio_strict", "audio"},     {"dataset.audio_features", "audio"},
      {"dataset.clip_seconds", "audio"},     {"dataset.n_fft", "audio"},
      {"dataset.win_length", "audio"},       {"dataset.hop_length", "audio"},
      {"dataset.n_mels", "audio"},           {"dataset.n_mfcc", "audio"},
      {"dataset.fmin", "audio"},             {"dataset.fmax", "audio"},
      {"dataset.image_size", "vision"},      {"dataset.image_channels", "vision"},
  };
  return m;
}

const std::map<std::string, std::vector<std::string>>& key_models() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"model.gru_hidden", {"deepsense"}},
      {"model.conv_filters", {"deepsense", "cnn1d"}},
      {"model.hidden_units", {"deepear_dnn"}},
  };
  return m;
}

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\"'");
  const size_t e = s.find_last_not_of(" \t\"'");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The model a modality gets before the data is inspected (the first of its models).
std::string first_model_of(const std::string& modality) {
  for (const std::string& m : train::model_names())
    if (train::model_modality(m) == modality) return m;
  return "";
}

// "stage.3.target" → (3, "target"); false for other keys.
bool split_stage_key(const std::string& key, size_t* index, std::string* name) {
  if (!starts_with(key, "stage.")) return false;
  const size_t dot = key.find('.', 6);
  if (dot == std::string::npos) return false;
  try {
    *index = std::stoul(key.substr(6, dot - 6));
  } catch (const std::exception&) {
    return false;
  }
  *name = key.substr(dot + 1);
  return true;
}

}  // namespace

std::string DataSummary::shape_text() const { return data::shape_to_string(input_shape); }

DataSummary summarize(const data::PreparedData& d) {
  DataSummary out;
  out.source = d.source;
  out.modality = data::to_string(d.source.modality);
  out.train_counts = d.train.class_counts();
  out.val_counts = d.val.class_counts();
  out.test_counts = d.test.class_counts();
  out.input_shape = d.train.sample_shape;
  out.split_method = d.split_method;
  out.train = d.train.size();
  out.val = d.val.size();
  out.test = d.test.size();
  out.parameters = d.parameters;
  return out;
}

DataSummary inspect_dataset(const data::DatasetConfig& config) { return summarize(data::prepare(config)); }

std::vector<ModelChoice> propose_models(const std::string& modality, const std::vector<int64_t>& shape,
                                        int64_t num_classes) {
  // The model each shape calls for first; the others of the modality follow.
  std::string preferred;
  const size_t rank = shape.size();
  if (modality == "vision")
    preferred = rank == 3 && shape[0] == 3 && shape[1] >= 32 && shape[2] >= 32 ? "vgg_small" : "lenet5";
  else if (modality == "har")
    preferred = rank == 3 ? "deepsense" : "cnn1d";
  else if (modality == "audio")
    preferred = rank == 3 && shape[1] >= 8 && shape[2] >= 8 ? "audio_cnn" : "deepear_dnn";
  std::vector<ModelChoice> out;
  for (const std::string& name : train::model_names()) {
    if (train::model_modality(name) != modality) continue;
    ModelChoice c;
    c.name = name;
    train::ModelConfig cfg;
    cfg.name = name;
    cfg.input_shape = shape;
    cfg.num_classes = num_classes;
    try {
      c.params = train::model_graph(cfg).parameter_count();
      c.fits = true;
    } catch (const std::exception& e) {
      c.why = e.what();
    }
    out.push_back(c);
  }
  std::stable_sort(out.begin(), out.end(), [&](const ModelChoice& a, const ModelChoice& b) {
    if (a.fits != b.fits) return a.fits;
    return a.name == preferred && b.name != preferred;
  });
  return out;
}

std::string source_modality(const std::string& source) {
  if (source.empty()) return "";
  try {
    const std::string format = data::parse_source(source).format;
    if (format.empty()) return "";
    return exp::format_modality(format);
  } catch (const std::exception&) {
    return "";
  }
}

bool key_applies(const std::string& key, const std::string& modality, const std::string& model,
                 const std::string& source) {
  if (starts_with(key, "dataset.synthetic_")) {
    if (!source.empty() && !starts_with(source, "synthetic:")) return false;
    if (key == "dataset.synthetic_subjects" && modality == "vision") return false;
    return true;
  }
  if (auto it = key_modality().find(key); it != key_modality().end())
    return modality.empty() || it->second == modality;
  if (auto it = key_models().find(key); it != key_models().end())
    return model.empty() || std::find(it->second.begin(), it->second.end(), model) != it->second.end();
  return true;
}

std::string literal_for(exp::ValueType type, const std::string& text) {
  const std::string t = trim(text);
  switch (type) {
    case exp::ValueType::kBool:
      if (t == "true" || t == "false") return t;
      break;
    case exp::ValueType::kInt: {
      char* end = nullptr;
      errno = 0;
      const long long v = std::strtoll(t.c_str(), &end, 10);
      if (!t.empty() && *end == '\0' && errno == 0) return exp::toml_literal(exp::Value(int64_t(v)));
      break;
    }
    case exp::ValueType::kFloat: {
      char* end = nullptr;
      const double v = std::strtod(t.c_str(), &end);
      if (!t.empty() && *end == '\0' && std::isfinite(v)) return exp::toml_literal(exp::Value(v));
      break;
    }
    case exp::ValueType::kStringList: {
      std::vector<std::string> items;
      std::string inner = text;
      inner.erase(std::remove(inner.begin(), inner.end(), '['), inner.end());
      inner.erase(std::remove(inner.begin(), inner.end(), ']'), inner.end());
      size_t start = 0;
      while (start <= inner.size()) {
        const size_t comma = std::min(inner.find(',', start), inner.size());
        if (const std::string item = trim(inner.substr(start, comma - start)); !item.empty()) items.push_back(item);
        start = comma + 1;
      }
      return exp::toml_literal(exp::Value(items));
    }
    case exp::ValueType::kString:
      return exp::toml_literal(exp::Value(text));
  }
  return exp::toml_literal(exp::Value(text));  // not of the type: validation says so at the key
}

NewExperiment::NewExperiment() { reset(); }

NewExperiment::~NewExperiment() {
  if (pending_.valid()) pending_.wait();
}

void NewExperiment::reset() {
  if (pending_.valid()) pending_.wait();
  pending_ = {};
  source_.clear();
  summary_.reset();
  inspect_error_.clear();
  models_.clear();
  model_.clear();
  stages_.clear();
  values_.clear();
  saved_.clear();
  validate();
}

void NewExperiment::set_source(const std::string& source) {
  if (source == source_) return;
  source_ = source;
  summary_.reset();
  inspect_error_.clear();
  models_.clear();
  // A model of another modality (or an unknown one) does not carry over to the new data.
  if (!model_.empty() && std::find(train::model_names().begin(), train::model_names().end(), model_) ==
                             train::model_names().end())
    model_.clear();
  if (!model_.empty() && train::model_modality(model_) != source_modality(source)) model_.clear();
  validate();
}

void NewExperiment::start_inspect() {
  if (pending_.valid()) return;
  summary_.reset();
  inspect_error_.clear();
  // The [dataset] table as the experiment sets it, so the user's dataset keys apply.
  if (source_.empty()) {
    inspect_error_ = "choose a data folder, file or synthetic source first";
    return;
  }
  for (const auto& [key, errs] : key_errors_)
    if (starts_with(key, "dataset.") && !errs.empty()) {
      inspect_error_ = key + ": " + errs.front();
      return;
    }
  data::DatasetConfig cfg = experiment_.dataset;
  if (!valid_) {  // other keys may be wrong; the dataset keys are not: read them alone
    cfg = data::DatasetConfig{};
    cfg.source = source_;
    std::vector<exp::Override> ov;
    for (const auto& [key, text] : values_)
      if (starts_with(key, "dataset.")) {
        exp::Override o = exp::parse_override(key + "=" + text);
        ov.push_back(o);
      }
    try {
      exp::Experiment e = exp::parse_experiment(
          "[dataset]\nsource = " + exp::toml_literal(exp::Value(source_)) + "\n[model]\nname = \"" +
              (source_modality(source_).empty() ? "deepsense" : first_model_of(source_modality(source_))) + "\"\n",
          "new experiment");
      exp::apply_overrides(e, ov);
      cfg = e.dataset;
    } catch (const std::exception& err) {
      inspect_error_ = err.what();
      return;
    }
  }
  pending_ = std::async(std::launch::async, [cfg] { return inspect_dataset(cfg); });
}

bool NewExperiment::poll() {
  if (!pending_.valid() || pending_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
  try {
    take_summary(pending_.get());
  } catch (const std::exception& e) {
    pending_ = {};
    inspect_error_ = e.what();
  }
  return true;
}

bool NewExperiment::inspect_now() {
  start_inspect();
  if (pending_.valid()) pending_.wait();
  poll();
  return summary_.has_value();
}

void NewExperiment::take_summary(DataSummary s) {
  summary_ = std::move(s);
  models_ = propose_models(summary_->modality, summary_->input_shape, int64_t(summary_->class_names().size()));
  const bool keep = std::any_of(models_.begin(), models_.end(),
                                [&](const ModelChoice& c) { return c.fits && c.name == model_; });
  if (!keep) model_ = !models_.empty() && models_.front().fits ? models_.front().name : "";
  if (values_.count("name") == 0) {
    std::string stem = fs::path(summary_->source.spec.path).filename().string();
    if (stem.empty()) stem = summary_->source.spec.format;
    std::string name;
    for (char c : stem) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (!name.empty()) values_["name"] = name + "_" + model_;
  }
  validate();
}

void NewExperiment::set_model(const std::string& name) {
  model_ = name;
  validate();
}

std::vector<std::string> NewExperiment::stage_types() { return exp::stage_types(); }

void NewExperiment::add_stage(const std::string& type) {
  stages_.push_back(type);
  validate();
}

void NewExperiment::remove_stage(size_t index) {
  if (index >= stages_.size()) return;
  // Stage keys after it move down one place.
  std::map<std::string, std::string> kept;
  for (const auto& [key, text] : values_) {
    size_t i = 0;
    std::string name;
    if (!split_stage_key(key, &i, &name)) kept[key] = text;
    else if (i < index) kept[key] = text;
    else if (i > index) kept["stage." + std::to_string(i - 1) + "." + name] = text;
  }
  values_ = std::move(kept);
  stages_.erase(stages_.begin() + long(index));
  validate();
}

void NewExperiment::set(const std::string& key, const std::string& text) {
  if (key == "dataset.source") return set_source(text);
  if (key == "model.name") return set_model(text);
  if (text.empty()) values_.erase(key);
  else values_[key] = text;
  validate();
}

std::string NewExperiment::get(const std::string& key) const {
  if (key == "dataset.source") return source_;
  if (key == "model.name") return model_;
  if (auto it = values_.find(key); it != values_.end()) return it->second;
  size_t i = 0;
  std::string name;
  const exp::SchemaEntry* e = nullptr;
  if (split_stage_key(key, &i, &name) && i < stages_.size()) {
    if (const auto* keys = exp::stage_schema(stages_[i]))
      for (const auto& s : *keys)
        if (s.key == name) e = &s;
  } else {
    e = exp::find_key(key);
  }
  if (key == "name") return kDefaultName;
  return e ? exp::plain_text(e->default_value) : "";
}

std::vector<const exp::SchemaEntry*> NewExperiment::keys(const std::string& table) const {
  const std::string modality = summary_ ? summary_->modality : source_modality(source_);
  std::vector<const exp::SchemaEntry*> out;
  for (const exp::SchemaEntry& s : exp::experiment_schema()) {
    if (s.table() != table || !s.get || s.key == "dataset.source" || s.key == "model.name") continue;
    if (key_applies(s.key, modality, model_, source_)) out.push_back(&s);
  }
  return out;
}

std::vector<const exp::SchemaEntry*> NewExperiment::stage_keys(size_t index) const {
  std::vector<const exp::SchemaEntry*> out;
  if (index >= stages_.size()) return out;
  if (const auto* keys = exp::stage_schema(stages_[index]))
    for (const exp::SchemaEntry& s : *keys)
      if (s.key != "type") out.push_back(&s);
  return out;
}

const std::vector<std::string>& NewExperiment::errors(const std::string& key) const {
  static const std::vector<std::string> none;
  auto it = key_errors_.find(key);
  return it == key_errors_.end() ? none : it->second;
}

void NewExperiment::validate() {
  // The TOML: top-level keys, then each table with the keys set, then the stages.
  const std::string modality = summary_ ? summary_->modality : source_modality(source_);
  const std::string model = !model_.empty() ? model_ : first_model_of(modality);
  std::string t = "name = " + exp::toml_literal(exp::Value(get("name"))) + "\n";
  for (const std::string table : {"", "dataset", "model", "train", "augment", "evaluation", "export"}) {
    std::string body;
    if (table == std::string("dataset")) body += "source = " + exp::toml_literal(exp::Value(source_)) + "\n";
    if (table == std::string("model")) body += "name = " + exp::toml_literal(exp::Value(model)) + "\n";
    for (const exp::SchemaEntry& s : exp::experiment_schema())
      if (s.table() == table && s.key != "name" && values_.count(s.key))
        body += s.name() + " = " + literal_for(s.type, values_.at(s.key)) + "\n";
    if (!table.empty() && !body.empty()) t += "\n[" + std::string(table) + "]\n";
    t += body;
  }
  for (size_t i = 0; i < stages_.size(); ++i) {
    t += "\n[[stage]]\ntype = " + exp::toml_literal(exp::Value(stages_[i])) + "\n";
    for (const exp::SchemaEntry* s : stage_keys(i)) {
      auto it = values_.find("stage." + std::to_string(i) + "." + s->key);
      if (it != values_.end()) t += s->key + " = " + literal_for(s->type, it->second) + "\n";
    }
  }
  toml_ = t;
  dirty_since_save_ = true;
  key_errors_.clear();
  other_errors_.clear();
  valid_ = false;
  runs_ = 0;
  try {
    experiment_ = exp::parse_experiment(toml_, saved_.empty() ? "new experiment" : saved_.string());
    runs_ = exp::expand_sweep(experiment_).size();
    valid_ = true;
  } catch (const exp::ConfigError& err) {
    for (const exp::ConfigIssue& i : err.issues()) {
      key_errors_[i.key].push_back(i.message);
      size_t idx = 0;
      std::string name;
      const bool shown = i.key == "dataset.source" || i.key == "model.name" || values_.count(i.key) ||
                         (split_stage_key(i.key, &idx, &name) && name == "type");
      if (!shown) other_errors_.push_back(i.key.empty() ? i.message : i.key + ": " + i.message);
    }
  } catch (const std::exception& err) {
    other_errors_.push_back(err.what());
  }
  if (source_.empty()) {
    valid_ = false;
    key_errors_["dataset.source"] = {"choose a data folder, file or synthetic source"};
  }
}

std::optional<fs::path> NewExperiment::save(const fs::path& file, bool overwrite, std::string* why) {
  auto fail = [&](const std::string& w) -> std::optional<fs::path> {
    if (why) *why = w;
    return std::nullopt;
  };
  if (file.empty()) return fail("choose where to save the experiment");
  fs::path out = file;
  if (out.extension() != ".toml") out += ".toml";
  if (!valid_) return fail("the experiment has errors; fix them first");
  std::error_code ec;
  if (!overwrite && fs::exists(out, ec)) return fail(out.string() + " exists already; choose another name");
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  try {
    data::write_file_atomic(out, toml_);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  saved_ = out;
  dirty_since_save_ = false;
  return out;
}

std::vector<int> NewExperiment::start(ExperimentForm& form, JobQueue& queue, const fs::path& slimlab_exe,
                                      const fs::path& runs_root, std::string* why) {
  auto fail = [&](const std::string& w) {
    if (why) *why = w;
    return std::vector<int>{};
  };
  if (saved_.empty() || dirty_since_save_) return fail("save the experiment first");
  if (!form.open(saved_)) {
    std::string w = saved_.string() + " does not open";
    for (const std::string& e : form.errors()) w += "\n" + e;
    return fail(w);
  }
  return form.start(queue, slimlab_exe, runs_root);
}

}  // namespace slimlab::gui
