// Values of an experiment: TOML nodes and `--set` text as typed Values, ${VAR}
// expansion, and the resolved configuration written back as TOML (to_toml).
#include "experiments/experiment_values.h"

#include <cstdlib>
#include <sstream>
#include <toml++/toml.h>

#include "experiments/experiment.h"

namespace slimlab::exp {

namespace detail {

// A TOML value as a Value: scalars as they are, an array of strings as a list.
bool node_to_value(const toml::node& n, Value* out, std::string* why) {
  switch (n.type()) {
    case toml::node_type::boolean: *out = n.as_boolean()->get(); return true;
    case toml::node_type::integer: *out = int64_t(n.as_integer()->get()); return true;
    case toml::node_type::floating_point: *out = n.as_floating_point()->get(); return true;
    case toml::node_type::string: *out = n.as_string()->get(); return true;
    case toml::node_type::array: {
      std::vector<std::string> list;
      for (const toml::node& x : *n.as_array()) {
        if (!x.is_string()) {
          *why = "expected a list of strings, got a list holding " + std::string(x.is_table() ? "a table" : "a non-string");
          return false;
        }
        list.push_back(x.as_string()->get());
      }
      *out = std::move(list);
      return true;
    }
    case toml::node_type::table: *why = "expected a value, got a table"; return false;
    default: *why = "dates and times are not supported here"; return false;
  }
}

// ${VAR}, ${VAR:-default}, $$ → $.
bool expand_env(const std::string& in, std::string* out, std::string* why) {
  std::string s;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$' || i + 1 >= in.size()) {
      s += in[i];
      continue;
    }
    if (in[i + 1] == '$') {
      s += '$';
      ++i;
      continue;
    }
    if (in[i + 1] != '{') {
      s += in[i];
      continue;
    }
    const size_t close = in.find('}', i + 2);
    if (close == std::string::npos) {
      *why = "unterminated ${ in '" + in + "'";
      return false;
    }
    std::string body = in.substr(i + 2, close - i - 2);
    std::string name = body, fallback;
    bool has_default = false;
    if (const size_t d = body.find(":-"); d != std::string::npos) {
      name = body.substr(0, d);
      fallback = body.substr(d + 2);
      has_default = true;
    }
    if (name.empty()) {
      *why = "empty variable name in '" + in + "'";
      return false;
    }
    const char* v = std::getenv(name.c_str());
    if (v && *v) s += v;
    else if (has_default) s += fallback;
    else {
      *why = "environment variable " + name + " is not set (write ${" + name + ":-default} to give a default)";
      return false;
    }
    i = close;
  }
  *out = s;
  return true;
}

// A stage parameter's text (StageConfig::params) back as a typed Value.
Value value_from_plain(const std::string& text, ValueType type) {
  switch (type) {
    case ValueType::kBool: return text == "true";
    case ValueType::kInt: return int64_t(std::strtoll(text.c_str(), nullptr, 10));
    case ValueType::kFloat: return std::strtod(text.c_str(), nullptr);
    case ValueType::kString: return text;
    case ValueType::kStringList: {
      std::vector<std::string> list;
      std::stringstream ss(text);
      std::string item;
      while (std::getline(ss, item, ',')) list.push_back(item);
      return list;
    }
  }
  return text;
}

// Type conversion, environment expansion and the range check of one value.
std::string prepare_value(const SchemaEntry& entry, const Value& raw, Value* out) {
  std::string why;
  if (!coerce(raw, entry.type, out, &why)) return why;
  if (auto* s = std::get_if<std::string>(out)) {
    if (!expand_env(*s, s, &why)) return why;
  } else if (auto* list = std::get_if<std::vector<std::string>>(out)) {
    for (auto& x : *list)
      if (!expand_env(x, &x, &why)) return why;
  }
  return entry.check(*out);
}

// `--set` text as a value of `type`: TOML syntax, or plain text for strings and
// comma-separated lists.
std::string value_from_text(const std::string& text, ValueType type, Value* out) {
  const bool quoted = !text.empty() && (text[0] == '"' || text[0] == '\'');
  if (type == ValueType::kString && !quoted) {
    *out = text;
    return "";
  }
  if (type == ValueType::kStringList && (text.empty() || text[0] != '[')) {
    *out = value_from_plain(text, ValueType::kStringList);
    if (text.empty()) *out = std::vector<std::string>{};
    return "";
  }
  try {
    toml::table t = toml::parse("v = " + text);
    std::string why;
    if (!node_to_value(*t.get("v"), out, &why)) return why;
    return "";
  } catch (const toml::parse_error&) {
    return "cannot read '" + text + "' as " + (type == ValueType::kInt ? "an " : "a ") + to_string(type);
  }
}

std::string config_literal(Value v) {
  // '$' is written "$$" so that reading the text back does not expand it again.
  auto escape = [](std::string& s) {
    std::string out;
    for (char c : s) out += c == '$' ? std::string("$$") : std::string(1, c);
    s = out;
  };
  if (auto* s = std::get_if<std::string>(&v)) escape(*s);
  if (auto* l = std::get_if<std::vector<std::string>>(&v))
    for (auto& x : *l) escape(x);
  return toml_literal(v);
}

}  // namespace detail

using namespace detail;

std::string to_toml(const Experiment& e) {
  std::ostringstream os;
  os << "# SlimLab experiment — resolved configuration (every key with its value)\n";
  std::string table;
  for (const SchemaEntry& entry : experiment_schema()) {
    if (entry.table() != table) {
      table = entry.table();
      os << "\n[" << table << "]\n";
    }
    os << entry.name() << " = " << config_literal(entry.get(e)) << "\n";
  }
  for (const StageConfig& s : e.stages) {
    os << "\n[[stage]]\ntype = " << config_literal(s.type) << "\n";
    const auto* schema = stage_schema(s.type);
    for (const auto& [k, text] : s.params) {
      ValueType type = ValueType::kString;
      if (schema)
        for (const SchemaEntry& x : *schema)
          if (x.key == k) type = x.type;
      os << k << " = " << config_literal(value_from_plain(text, type)) << "\n";
    }
  }
  if (!e.sweep.empty()) {
    os << "\n[sweep]\n";
    if (!e.sweep.grid.empty()) {
      os << "grid = { ";
      for (size_t i = 0; i < e.sweep.grid.size(); ++i) {
        const SweepAxis& a = e.sweep.grid[i];
        os << (i ? ", " : "") << toml_literal(a.key) << " = [";
        for (size_t j = 0; j < a.values.size(); ++j) os << (j ? ", " : "") << toml_literal(a.values[j]);
        os << "]";
      }
      os << " }\n";
    }
    if (!e.sweep.points.empty()) {
      os << "points = [\n";
      for (const SweepPointSpec& p : e.sweep.points) {
        os << "  { ";
        for (size_t j = 0; j < p.settings.size(); ++j)
          os << (j ? ", " : "") << toml_literal(p.settings[j].first) << " = " << toml_literal(p.settings[j].second);
        os << " },\n";
      }
      os << "]\n";
    }
  }
  return os.str();
}

}  // namespace slimlab::exp
