#include "experiments/stages.h"

#include <cstdlib>

#include "compress/stage.h"

namespace slimlab::exp {

namespace {

ValueType value_type(compress::KeyType t) {
  switch (t) {
    case compress::KeyType::kBool: return ValueType::kBool;
    case compress::KeyType::kInt: return ValueType::kInt;
    case compress::KeyType::kFloat: return ValueType::kFloat;
    case compress::KeyType::kString: return ValueType::kString;
    case compress::KeyType::kStringList: return ValueType::kStringList;
  }
  return ValueType::kString;
}

// A default written as text → a Value of the key's type.
Value default_of(const compress::StageKey& k) {
  const std::string& s = k.default_value;
  switch (k.type) {
    case compress::KeyType::kBool: return s == "true";
    case compress::KeyType::kInt: return int64_t(std::strtoll(s.c_str(), nullptr, 10));
    case compress::KeyType::kFloat: return std::strtod(s.c_str(), nullptr);
    case compress::KeyType::kString: return s;
    case compress::KeyType::kStringList: {
      std::vector<std::string> out;
      size_t at = 0;
      while (!s.empty()) {
        const size_t comma = s.find(',', at);
        out.push_back(s.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
      return out;
    }
  }
  return s;
}

SchemaEntry entry_of(const compress::StageKey& k) {
  SchemaEntry e;
  e.key = k.name;
  e.type = value_type(k.type);
  e.doc = k.doc;
  e.min = k.min;
  e.max = k.max;
  e.min_open = k.min_open;
  e.max_open = k.max_open;
  e.choices = k.choices;
  e.required = k.required;
  e.default_value = default_of(k);
  return e;
}

}  // namespace

std::vector<BuiltinStageType> builtin_stage_types() {
  std::vector<BuiltinStageType> out;
  for (const compress::StageDescription& d : compress::stage_descriptions()) {
    BuiltinStageType t;
    t.type = d.type;
    t.doc = d.doc;
    for (const compress::StageKey& k : d.keys) t.keys.push_back(entry_of(k));
    if (d.validate) {
      const auto validate = d.validate;
      const std::string type = d.type;
      t.validate = [validate, type](const std::map<std::string, std::string>& params, int index) {
        std::vector<std::pair<std::string, std::string>> out;
        try {
          for (const compress::StageIssue& i : validate(compress::StageParams(type, index, params)))
            out.emplace_back(i.key, i.message);
        } catch (const std::exception& e) {
          out.emplace_back("", e.what());
        }
        return out;
      };
    }
    out.push_back(std::move(t));
  }
  return out;
}

ConfigIssue stage_issue(const Experiment& e, size_t index, const std::string& key, const std::string& message) {
  const StageConfig& s = e.stages.at(index);
  const std::string prefix = "stage." + std::to_string(index);
  const std::string dotted = key.empty() ? prefix : prefix + "." + key;
  auto it = e.lines.find(dotted);
  const int line = it != e.lines.end() ? it->second : s.line;
  return {e.file.string(), line, dotted, "stage " + std::to_string(index) + " (" + s.type + "): " + message};
}

std::vector<ConfigIssue> preflight_stages(const Experiment& e, const ir::Graph& model) {
  std::vector<ConfigIssue> issues;
  for (size_t i = 0; i < e.stages.size(); ++i) {
    const StageConfig& s = e.stages[i];
    const compress::StageDescription* d = compress::find_stage_description(s.type);
    if (!d || !d->preflight) continue;
    try {
      for (const compress::StageIssue& p : d->preflight(compress::StageParams(s.type, int(i), s.params), model))
        issues.push_back(stage_issue(e, i, p.key, p.message));
    } catch (const std::exception& ex) {
      issues.push_back(stage_issue(e, i, "", ex.what()));
    }
  }
  return issues;
}

}  // namespace slimlab::exp
