#pragma once
// The table of experiment keys: one entry per dotted key ("train.lr") with its
// type, range or allowed values, default, doc string and a setter/getter into an
// Experiment. The same table drives TOML parsing, `--set` overrides, sweeps,
// validation, "did you mean" suggestions, to_toml() and `slimlab train --help-keys`.
// Compression stages register their own keys (register_stage_type) as they arrive.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <utility>
#include <string>
#include <variant>
#include <vector>

namespace slimlab::exp {

struct Experiment;

enum class ValueType { kBool, kInt, kFloat, kString, kStringList };
const char* to_string(ValueType t);  // "bool" | "int" | "float" | "string" | "string list"

// A value as read from TOML, a `--set` override or a sweep. Integers stay
// integers; coerce() turns an int into a float where a float is wanted.
using Value = std::variant<bool, int64_t, double, std::string, std::vector<std::string>>;
ValueType type_of(const Value& v);

// The value as a TOML literal: 0.001, 3, true, "text", ["a", "b"]. Floats use the
// shortest text that reads back to the same double and always look like floats.
std::string toml_literal(const Value& v);
// The value as a person reads it: strings unquoted, lists joined by ','.
std::string plain_text(const Value& v);

struct SchemaEntry {
  std::string key;  // dotted ("train.lr"); for a stage type's keys the bare name ("target")
  ValueType type = ValueType::kString;
  std::string doc;
  // Range of numeric values (ints and floats); open ends are exclusive.
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false, max_open = false;
  std::vector<std::string> choices;  // allowed values (strings, or ints as text); empty: any
  std::vector<std::string> aliases;  // spellings people try ("learning_rate"): used only for suggestions
  bool required = false;             // must be written in the file (or set by an override)
  std::string required_unless;       // ... unless this key is given ("model.name" unless "model.onnx")
  bool non_empty = false;            // a string that may not be ""
  Value default_value;
  std::string default_text;  // shown by help_keys() instead of default_value when set ("<file stem>")
  // Into / out of an Experiment (empty for stage keys, which live in StageConfig::params).
  std::function<void(Experiment&, const Value&)> set;
  std::function<Value(const Experiment&)> get;

  std::string table() const;  // "train" for "train.lr", "" for top-level keys
  std::string name() const;   // "lr" for "train.lr"
  // "(0, 4]", "≥ 0", "one of: sgd, adam", or "" when anything of the type goes.
  std::string range_text() const;
  // "" when `v` (already of this entry's type) is allowed, else why not
  // ("0 is out of range (0, 10]", "'foo' is not one of: sgd, adam, adamw, rmsprop").
  std::string check(const Value& v) const;
};

// Converts `v` to `type` (int → float is allowed; nothing else). On failure
// returns false and says why in *why ("expected a float, got the string \"abc\"").
bool coerce(const Value& v, ValueType type, Value* out, std::string* why);

// Every key of an experiment, in the order to_toml() writes them.
const std::vector<SchemaEntry>& experiment_schema();
// The entry for a dotted key, or nullptr.
const SchemaEntry* find_key(const std::string& dotted);
// Tables of the experiment ("dataset", "model", "train", "stage", "export", "sweep").
const std::vector<std::string>& experiment_tables();

// Compression stages: each [[stage]] has a `type` that must be registered with its
// keys (SchemaEntry::key = the bare parameter name; set/get unused). Registering a
// type again replaces its keys. Thread-safe; call during start-up.
void register_stage_type(const std::string& type, std::vector<SchemaEntry> keys);
std::vector<std::string> stage_types();                              // sorted
const std::vector<SchemaEntry>* stage_schema(const std::string& type);  // nullptr when unknown

// Cross-key checks of a stage type, run by validation once every key of the stage
// has a value of the right type and range: (key, reason) per problem. `params` holds
// every key of the type as text (StageConfig::params); `index` is the stage's position.
using StageValidator = std::function<std::vector<std::pair<std::string, std::string>>(
    const std::map<std::string, std::string>& params, int index)>;
// As above, plus the validator. The compression stages of compress/ are registered
// this way before the first lookup (experiments/stages.cpp).
void register_stage_type(const std::string& type, std::vector<SchemaEntry> keys, StageValidator validate,
                         std::string doc = "");
// nullptr when the type has no validator.
const StageValidator* stage_validator(const std::string& type);
// The type's one-line description ("" when none).
std::string stage_doc(const std::string& type);

// Closest candidates to `word`: Levenshtein distance ≤ 2, or a shared prefix of at
// least 4 characters (one being a prefix of the other counts from 3), compared
// with each candidate's name and its aliases. Best first, at most 3.
struct Candidate {
  std::string name;
  std::vector<std::string> aliases;
};
std::vector<std::string> suggestions(const std::string& word, const std::vector<Candidate>& candidates);
// " (did you mean 'epochs'?)" / " (did you mean 'a' or 'b'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<Candidate>& candidates);
std::string did_you_mean(const std::vector<std::string>& suggestions);
size_t levenshtein(const std::string& a, const std::string& b);

// Every key with its type, default, range and doc, grouped by table, then the
// registered stage types — the text of `slimlab train --help-keys`.
std::string help_keys();

}  // namespace slimlab::exp
