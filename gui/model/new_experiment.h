#pragma once
// File → New experiment, without ImGui: start from data. The user picks a data
// folder, file or synthetic source; inspect() prepares it exactly as `slimlab data
// inspect` and the runner do (data::prepare on the [dataset] table) and summarises
// classes, counts, shapes and the split; propose_models() lists the models of the
// data's modality that build for its input shape (the fitting ones first); stages
// come from the registered stage types, each with only its own keys and their docs;
// evaluation protocol and export precision are keys like any other. Every edit
// re-validates the generated TOML with parse_experiment — the CLI's rules — so the
// errors are the ones `slimlab train` would print, attached to their keys. save()
// writes that TOML where the user chooses; start() opens it in the ExperimentForm
// and queues its sweep points through the shared job launcher (experiments/jobs.h).
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "datasets/pipeline.h"
#include "experiments/schema.h"
#include "gui/model/experiment_form.h"

namespace slimlab::gui {

// What `slimlab data inspect` prints, as data: the source as loaded, then the splits.
struct DataSummary {
  data::SourceInfo source;  // format, classes and their counts, unit, groups, rate / image size, notes
  std::string modality;     // "har" | "audio" | "vision"
  std::vector<int64_t> train_counts, val_counts, test_counts;  // samples per class in each split
  std::vector<int64_t> input_shape;                            // per sample, as the model sees it
  std::string split_method;
  size_t train = 0, val = 0, test = 0;
  std::vector<std::pair<std::string, std::string>> parameters;
  const std::vector<std::string>& class_names() const { return source.class_names; }
  std::string shape_text() const;  // "1×28×28"
};
DataSummary summarize(const data::PreparedData& d);
// data::prepare(config) summarised (blocking; throws what prepare throws).
DataSummary inspect_dataset(const data::DatasetConfig& config);

// A model for the data: whether its graph builds for the input shape and classes
// (train::model_graph, no LibTorch), its parameters, or why it does not fit.
struct ModelChoice {
  std::string name;
  bool fits = false;
  int64_t params = 0;
  std::string why;  // when it does not fit
};
// The models of `modality`, those that fit first, in the order of preference for
// the shape (e.g. vgg_small before lenet5 for 3-channel images of 32 px and more).
std::vector<ModelChoice> propose_models(const std::string& modality, const std::vector<int64_t>& input_shape,
                                        int64_t num_classes);

// Whether a key of the experiment schema applies to data of `modality` ("" = any)
// read by `model` ("" = any) from `source`: audio keys only for audio, HAR window
// and DeepSense keys only for HAR, image keys only for images, synthetic_* only for
// synthetic sources, a model's own sizes only for that model.
bool key_applies(const std::string& key, const std::string& modality, const std::string& model,
                 const std::string& source);
// The modality of a dataset source as parse_source detects it ("" when unknown or unreadable).
std::string source_modality(const std::string& source);

// A value as the user typed it, written as the TOML literal of `type` (text that is
// not a valid literal of the type is written as a string, so validation names it).
std::string literal_for(exp::ValueType type, const std::string& text);

class NewExperiment {
 public:
  NewExperiment();
  ~NewExperiment();
  NewExperiment(const NewExperiment&) = delete;
  NewExperiment& operator=(const NewExperiment&) = delete;

  // Back to an empty experiment (name "new_experiment", no source).
  void reset();

  // --- data
  void set_source(const std::string& source);  // forgets the last inspection
  const std::string& source() const { return source_; }
  // Inspects in the background (the GUI); poll() once per frame takes the result.
  void start_inspect();
  bool inspecting() const { return pending_.valid(); }
  // Returns true when an inspection finished during this call.
  bool poll();
  // Blocking (tests, the scripted window). Returns whether the data could be read.
  bool inspect_now();
  const std::optional<DataSummary>& summary() const { return summary_; }
  const std::string& inspect_error() const { return inspect_error_; }

  // --- model: proposed after an inspection (the first fitting one is chosen).
  const std::vector<ModelChoice>& models() const { return models_; }
  const std::string& model() const { return model_; }
  void set_model(const std::string& name);

  // --- stages, from the registered types
  static std::vector<std::string> stage_types();
  void add_stage(const std::string& type);
  void remove_stage(size_t index);
  size_t stage_count() const { return stages_.size(); }
  const std::string& stage_type(size_t index) const { return stages_.at(index); }

  // --- every other key: "train.epochs", "evaluation.protocol", "export.precision",
  // "dataset.image_size", "stage.0.target". "" removes the key (its default applies).
  void set(const std::string& key, const std::string& text);
  std::string get(const std::string& key) const;  // what the user set, else the default as text
  bool is_set(const std::string& key) const { return values_.count(key) > 0; }
  // The keys to show: the schema's keys that apply to the data and model, for one table
  // ("dataset", "model", "train", "evaluation", "export", "" for top-level) or stage i's keys.
  std::vector<const exp::SchemaEntry*> keys(const std::string& table) const;
  std::vector<const exp::SchemaEntry*> stage_keys(size_t index) const;

  // --- the experiment: generated TOML and its validation (after every change).
  const std::string& toml() const { return toml_; }
  bool valid() const { return valid_; }
  const std::vector<std::string>& errors(const std::string& key) const;  // a key's issues
  const std::vector<std::string>& other_errors() const { return other_errors_; }  // issues of no key
  const exp::Experiment& experiment() const { return experiment_; }
  size_t run_count() const { return runs_; }

  // Writes the TOML to `file` (".toml" added when missing; refuses an existing file
  // unless overwrite, and an invalid experiment). Returns the path, or nullopt with *why.
  std::optional<std::filesystem::path> save(const std::filesystem::path& file, bool overwrite, std::string* why);
  const std::filesystem::path& saved_file() const { return saved_; }
  // Opens the saved file in `form` and queues its runs (one `slimlab train` per sweep
  // point); empty with *why when it is not saved (or changed since) or does not open.
  std::vector<int> start(ExperimentForm& form, JobQueue& queue, const std::filesystem::path& slimlab_exe,
                         const std::filesystem::path& runs_root, std::string* why);

 private:
  void validate();
  void take_summary(DataSummary s);
  std::string source_;
  std::future<DataSummary> pending_;
  std::optional<DataSummary> summary_;
  std::string inspect_error_;
  std::vector<ModelChoice> models_;
  std::string model_;
  std::vector<std::string> stages_;
  std::map<std::string, std::string> values_;
  std::string toml_;
  bool valid_ = false;
  bool dirty_since_save_ = true;
  size_t runs_ = 0;
  std::map<std::string, std::vector<std::string>> key_errors_;
  std::vector<std::string> other_errors_;
  exp::Experiment experiment_;
  std::filesystem::path saved_;
};

}  // namespace slimlab::gui
