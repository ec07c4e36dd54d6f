#pragma once
// Internal to experiments/experiment*.cpp: turning TOML nodes and `--set` text into
// checked Values, and Values back into TOML text.
#include <string>
#include <toml++/toml.h>

#include "experiments/schema.h"

namespace slimlab::exp::detail {

// A TOML value as a Value: scalars as they are, an array of strings as a list.
bool node_to_value(const toml::node& n, Value* out, std::string* why);
// ${VAR}, ${VAR:-default}, $$ → $.
bool expand_env(const std::string& in, std::string* out, std::string* why);
// A stage parameter's text (StageConfig::params) back as a typed Value.
Value value_from_plain(const std::string& text, ValueType type);
// Type conversion, environment expansion and the range check of one value ("" = fine).
std::string prepare_value(const SchemaEntry& entry, const Value& raw, Value* out);
// `--set` text as a value of `type`: TOML syntax, or plain text for strings and
// comma-separated lists ("" = fine).
std::string value_from_text(const std::string& text, ValueType type, Value* out);
// A value as TOML text, '$' written "$$" so that reading it back does not expand it again.
std::string config_literal(Value v);

}  // namespace slimlab::exp::detail
