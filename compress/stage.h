#pragma once
// Compression stages, the torch-free half: what each `[[stage]] type = "..."`
// accepts (its keys with types, defaults, ranges and docs), how its values are
// checked before anything runs, and what a finished stage records. The
// experiments side turns these descriptions into schema entries
// (experiments/stages.cpp), so TOML parsing, `--set stage.0.k=v`, sweeps,
// `--help-keys` and "did you mean" work for every stage type. The torch half
// (the code that runs a stage) is compress/stage_torch.h.
//
// Adding a stage type "foo" (see also /work/brief/READY-stages):
//   1. describe it: `StageDescription foo_stage_description();` in your folder's
//      torch-free .h/.cpp (keys, validate, preflight);
//   2. add it to the list in compress/stage_list.cpp (one line);
//   3. implement `class FooStage : public Stage` in a *_torch.cpp and add its
//      factory to the list in compress/stage_list_torch.cpp (one line).
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::compress {

enum class KeyType { kBool, kInt, kFloat, kString, kStringList };

// One key of a stage type. Defaults are written as text the way a user writes the
// value ("0.5", "8", "true", "det", "a,b" for a list).
struct StageKey {
  std::string name;
  KeyType type = KeyType::kFloat;
  std::string default_value;
  std::string doc;
  double min = -std::numeric_limits<double>::infinity();  // numeric range; open ends exclusive
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false, max_open = false;
  std::vector<std::string> choices;  // allowed values (empty: any)
  bool required = false;
};

// A key with its range (open ends exclusive); the stages' key lists are written with it.
StageKey make_key(const std::string& name, KeyType type, const std::string& def, const std::string& doc,
                  double min = -std::numeric_limits<double>::infinity(),
                  double max = std::numeric_limits<double>::infinity(), bool min_open = false, bool max_open = false);

// A stage's values (StageConfig::params: every key of its type as text, defaults
// filled in) with typed accessors. Errors name the stage and key.
class StageParams {
 public:
  StageParams() = default;
  StageParams(std::string type, int index, std::map<std::string, std::string> values);

  const std::string& type() const { return type_; }
  int index() const { return index_; }
  const std::map<std::string, std::string>& values() const { return values_; }
  bool has(const std::string& key) const { return values_.count(key) > 0; }

  // std::invalid_argument "stage.<i>.<key> (<type>): ..." when missing or not of the type.
  const std::string& text(const std::string& key) const;
  double number(const std::string& key) const;
  int64_t integer(const std::string& key) const;
  bool flag(const std::string& key) const;
  std::vector<std::string> list(const std::string& key) const;  // comma-separated
  // "stage.<i>.<key>", for messages.
  std::string where(const std::string& key) const;

 private:
  std::string type_;
  int index_ = 0;
  std::map<std::string, std::string> values_;
};

// One problem with a stage's configuration: the key and why.
struct StageIssue {
  std::string key;
  std::string message;
};

struct StageDescription {
  std::string type;
  std::string doc;  // one line for --help-keys
  std::vector<StageKey> keys;
  // Checks across keys and against the outside world (a teacher run exists …),
  // after every value passed its type and range check. Runs while the experiment is
  // parsed. May be empty.
  std::function<std::vector<StageIssue>(const StageParams&)> validate;
  // Checks against the model the stage will get (layer kinds it supports, a
  // teacher's classes and input shape): the runner calls it for every stage after the
  // data and the base model exist and BEFORE any training, so nothing runs half-way.
  // `model` is the base model's graph (structure). May be empty.
  std::function<std::vector<StageIssue>(const StageParams&, const ir::Graph& model)> preflight;
};

// Every stage type (compress/stage_list.cpp), in a stable order.
const std::vector<StageDescription>& stage_descriptions();
// nullptr when unknown.
const StageDescription* find_stage_description(const std::string& type);

// The fine-tuning keys most stages share: epochs (≥ 0; 0 = no training), lr (> 0;
// the default 0 means "the experiment's train.lr") and batch_size (0 = train.batch_size).
std::vector<StageKey> training_keys(int default_epochs, double default_lr = 0.0);

// What a finished stage reports. Written to results.h5 under /stages/<i>/ and read
// back by read_results; the GUI replays the tables (DeepIoT keep-probability traces).
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;  // each rows[r].size() == columns.size()
  std::vector<std::string> row_labels;    // empty, or one per row
};

struct StageRecord {
  std::string type;
  std::map<std::string, double> metrics;      // "val_accuracy", "params", "sparsity", …
  std::map<std::string, std::string> info;    // settings and notes ("teacher" = run dir, …)
  std::map<std::string, Table> tables;        // "curves", "kept_units", "keep_probabilities", …
};

}  // namespace slimlab::compress
