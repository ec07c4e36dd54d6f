#include "experiments/experiment.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "experiments/experiment_values.h"
#include "experiments/stages.h"
#include "experiments/sweep.h"

namespace fs = std::filesystem;

namespace slimlab::exp {

std::string ConfigIssue::str() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  if (!s.empty()) s += ": ";
  if (!key.empty()) s += key + ": ";
  return s + message;
}

namespace {

std::string join_issues(const std::vector<ConfigIssue>& issues) {
  std::string s;
  for (const auto& i : issues) s += (s.empty() ? "" : "\n") + i.str();
  return s;
}

}  // namespace

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : std::runtime_error(join_issues(issues)), issues_(std::move(issues)) {}

using namespace detail;

namespace {

constexpr const char* kNoStagesYet = "none yet — compression stages arrive with the compression issues";

// Collects every problem of one parse so they are reported together.
struct Ctx {
  std::string file;
  std::vector<ConfigIssue> issues;
  std::set<std::string> given;  // keys that received a value (file or override)
  void error(int line, const std::string& key, const std::string& message) {
    issues.push_back({file, line, key, message});
  }
};

int line_of(const toml::node& n) { return int(n.source().begin.line); }
int line_of(const toml::key& k) { return int(k.source().begin.line); }

// Entries of a table in the order they were written (toml++ keeps them sorted by name).
std::vector<std::pair<const toml::key*, const toml::node*>> ordered(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> v;
  for (auto&& [k, n] : t) v.emplace_back(&k, &n);
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return v;
}

std::vector<Candidate> table_candidates(const std::string& table) {
  std::vector<Candidate> c;
  for (const SchemaEntry& e : experiment_schema())
    if (e.table() == table) c.push_back({e.name(), e.aliases});
  return c;
}

std::vector<Candidate> dotted_candidates() {
  std::vector<Candidate> c;
  for (const SchemaEntry& e : experiment_schema()) {
    Candidate x{e.key, {}};
    const std::string prefix = e.table().empty() ? "" : e.table() + ".";
    for (const auto& a : e.aliases) x.aliases.push_back(prefix + a);
    c.push_back(std::move(x));
  }
  return c;
}

std::vector<Candidate> names_only(const std::vector<std::string>& names) {
  std::vector<Candidate> c;
  for (const auto& n : names) c.push_back({n, {}});
  return c;
}

std::string known_stage_types_text() {
  const auto types = stage_types();
  if (types.empty()) return kNoStagesYet;
  std::string s;
  for (const auto& t : types) s += (s.empty() ? "" : ", ") + t;
  return s;
}

// Where a dotted key of an override or sweep points.
struct KeyTarget {
  const SchemaEntry* entry = nullptr;
  int stage = -1;  // ≥ 0 for "stage.<i>.<key>"
};

std::string resolve_key(const std::string& raw_key, const Experiment& e, KeyTarget* t) {
  std::string key = raw_key;
  // Accept "stage[1].x" as well as "stage.1.x".
  if (key.rfind("stage[", 0) == 0) {
    const size_t close = key.find(']');
    if (close != std::string::npos) key = "stage." + key.substr(6, close - 6) + key.substr(close + 1);
  }
  if (key == "sweep" || key.rfind("sweep.", 0) == 0) return "[sweep] cannot be overridden or swept";
  if (key.rfind("stage.", 0) == 0) {
    const std::string rest = key.substr(6);
    const size_t dot = rest.find('.');
    const std::string index = rest.substr(0, dot);
    if (dot == std::string::npos || index.empty() ||
        index.find_first_not_of("0123456789") != std::string::npos)
      return "stage keys are written stage.<index>.<key> (index 0 is the first [[stage]])";
    const size_t i = std::stoul(index);
    if (i >= e.stages.size())
      return "no [[stage]] with index " + index + " (the experiment has " + std::to_string(e.stages.size()) + ")";
    const std::string name = rest.substr(dot + 1);
    if (name == "type") return "a stage's type cannot be overridden";
    const auto* schema = stage_schema(e.stages[i].type);
    if (!schema) return "unknown stage type '" + e.stages[i].type + "'";
    std::vector<Candidate> c;
    for (const SchemaEntry& s : *schema) {
      if (s.key == name) {
        t->entry = &s;
        t->stage = int(i);
        return "";
      }
      c.push_back({s.key, s.aliases});
    }
    return "unknown key of stage type '" + e.stages[i].type + "'" + did_you_mean(name, c);
  }
  if (const SchemaEntry* s = find_key(key)) {
    t->entry = s;
    return "";
  }
  // A typo after a known table is matched within that table; otherwise the whole dotted key.
  const size_t dot = key.find('.');
  const std::string table = dot == std::string::npos ? "" : key.substr(0, dot);
  const auto& tables = experiment_tables();
  if (std::find(tables.begin(), tables.end(), table) != tables.end()) {
    std::vector<std::string> s = suggestions(key.substr(dot + 1), table_candidates(table));
    for (auto& x : s) x = table + "." + x;
    if (!s.empty()) return "unknown key" + did_you_mean(s);
  }
  return "unknown key" + did_you_mean(key, dotted_candidates());
}

void store(Experiment& e, const KeyTarget& t, const Value& v) {
  if (t.stage >= 0) e.stages[size_t(t.stage)].params[t.entry->key] = plain_text(v);
  else t.entry->set(e, v);
}

// ---- reading the file -------------------------------------------------------

void set_from_node(Experiment& e, const SchemaEntry& entry, const toml::node& n, int line, Ctx& ctx) {
  ctx.given.insert(entry.key);  // present, even when its value is bad: not also "missing"
  Value raw, v;
  std::string why;
  if (!node_to_value(n, &raw, &why)) {
    // A list where a scalar is wanted reads better as a type error.
    if (n.is_array() && entry.type != ValueType::kStringList)
      why = std::string("expected ") + (entry.type == ValueType::kInt ? "an " : "a ") + to_string(entry.type) +
            ", got a list";
    ctx.error(line, entry.key, why);
    return;
  }
  why = prepare_value(entry, raw, &v);
  if (!why.empty()) {
    ctx.error(line, entry.key, why);
    return;
  }
  entry.set(e, v);
  e.lines[entry.key] = line;
}

void parse_table(Experiment& e, const std::string& table, const toml::table& t, Ctx& ctx) {
  for (const auto& [k, n] : ordered(t)) {
    const std::string name = std::string(k->str());
    const std::string full = table + "." + name;
    const int line = line_of(*k);
    if (const SchemaEntry* entry = find_key(full)) {
      set_from_node(e, *entry, *n, line, ctx);
      continue;
    }
    if (n->is_table()) {
      ctx.error(line, full, "unknown table [" + full + "]");
      continue;
    }
    std::string msg = "unknown key" + did_you_mean(name, table_candidates(table));
    if (msg == "unknown key") {
      // The right key in the wrong table?
      for (const auto& other : experiment_tables())
        if (other != table && find_key(other + "." + name)) msg += " ('" + name + "' belongs in [" + other + "])";
    }
    if (msg == "unknown key") {
      std::string known;
      for (const auto& c : table_candidates(table)) known += (known.empty() ? "" : ", ") + c.name;
      msg += " (known keys of [" + table + "]: " + known + ")";
    }
    ctx.error(line, full, msg);
  }
}

void parse_stages(Experiment& e, const toml::node& node, int line, Ctx& ctx) {
  const toml::array* arr = node.as_array();
  if (!arr) {
    ctx.error(line, "stage", "write compression stages as [[stage]] (an array of tables), not [stage]");
    return;
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::node& sn = *arr->get(i);
    const std::string prefix = "stage." + std::to_string(i);
    const toml::table* st = sn.as_table();
    if (!st) {
      ctx.error(line_of(sn), prefix, "each [[stage]] must be a table");
      continue;
    }
    StageConfig stage;
    stage.line = line_of(sn);
    const toml::node* type = st->get("type");
    if (!type || !type->is_string()) {
      ctx.error(stage.line, prefix + ".type",
                type ? "expected a string" : "missing: every [[stage]] needs type = \"...\" (known: " +
                                                  known_stage_types_text() + ")");
      e.stages.push_back(stage);
      continue;
    }
    stage.type = type->as_string()->get();
    const auto* schema = stage_schema(stage.type);
    if (!schema) {
      ctx.error(line_of(*type), prefix + ".type",
                "unknown stage type '" + stage.type + "' (known: " + known_stage_types_text() + ")" +
                    did_you_mean(stage.type, names_only(stage_types())));
      e.stages.push_back(stage);
      continue;
    }
    e.lines[prefix + ".type"] = line_of(*type);
    std::vector<Candidate> cands;
    for (const SchemaEntry& s : *schema) cands.push_back({s.key, s.aliases});
    std::set<std::string> seen;
    for (const auto& [k, n] : ordered(*st)) {
      const std::string name = std::string(k->str());
      if (name == "type") continue;
      const int kline = line_of(*k);
      auto it = std::find_if(schema->begin(), schema->end(), [&](const SchemaEntry& s) { return s.key == name; });
      if (it == schema->end()) {
        ctx.error(kline, prefix + "." + name, "unknown key of stage type '" + stage.type + "'" + did_you_mean(name, cands));
        continue;
      }
      Value raw, v;
      std::string why;
      if (!node_to_value(*n, &raw, &why) || !(why = prepare_value(*it, raw, &v)).empty()) {
        ctx.error(kline, prefix + "." + name, why);
        continue;
      }
      stage.params[name] = plain_text(v);
      e.lines[prefix + "." + name] = kline;
      seen.insert(name);
    }
    for (const SchemaEntry& s : *schema) {
      if (seen.count(s.key)) continue;
      if (s.required) ctx.error(stage.line, prefix + "." + s.key, "required key is missing");
      else stage.params[s.key] = plain_text(s.default_value);
    }
    e.stages.push_back(std::move(stage));
  }
}

struct Leaf {
  std::string key;
  const toml::node* node;
  toml::source_position pos;
};

// Nested tables (dotted keys) become dotted names: { model.width = 1 } ≡ { "model.width" = 1 }.
void flatten(const toml::table& t, const std::string& prefix, std::vector<Leaf>& out) {
  for (auto&& [k, n] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (n.is_table()) flatten(*n.as_table(), key, out);
    else out.push_back({key, &n, k.source().begin});
  }
}

std::vector<Leaf> flat_ordered(const toml::table& t) {
  std::vector<Leaf> leaves;
  flatten(t, "", leaves);
  std::stable_sort(leaves.begin(), leaves.end(), [](const Leaf& a, const Leaf& b) {
    return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.column < b.pos.column;
  });
  return leaves;
}

void parse_sweep(Experiment& e, const toml::node& node, int line, Ctx& ctx) {
  const toml::table* t = node.as_table();
  if (!t) {
    ctx.error(line, "sweep", "expected a table [sweep]");
    return;
  }
  e.sweep.line = line_of(node);
  for (const auto& [k, n] : ordered(*t)) {
    const std::string name = std::string(k->str());
    const int kline = line_of(*k);
    if (name == "grid") {
      if (!n->is_table()) {
        ctx.error(kline, "sweep.grid", "expected a table: grid = { \"model.width\" = [0.25, 0.5] }");
        continue;
      }
      for (const Leaf& leaf : flat_ordered(*n->as_table())) {
        const int vline = int(leaf.pos.line);
        const toml::array* values = leaf.node->as_array();
        if (!values || values->empty()) {
          ctx.error(vline, leaf.key, "a [sweep] grid axis needs a non-empty list of values");
          continue;
        }
        SweepAxis axis{leaf.key, {}, vline};
        for (const toml::node& x : *values) {
          Value v;
          std::string why;
          if (!node_to_value(x, &v, &why)) ctx.error(vline, leaf.key, "in [sweep]: " + why);
          else axis.values.push_back(std::move(v));
        }
        e.sweep.grid.push_back(std::move(axis));
      }
    } else if (name == "points") {
      const toml::array* pts = n->as_array();
      if (!pts) {
        ctx.error(kline, "sweep.points", "expected a list of tables: points = [ { \"model.width\" = 0.25 } ]");
        continue;
      }
      for (const toml::node& p : *pts) {
        if (!p.is_table()) {
          ctx.error(line_of(p), "sweep.points", "each point must be a table { \"key\" = value, ... }");
          continue;
        }
        SweepPointSpec spec;
        spec.line = line_of(p);
        for (const Leaf& leaf : flat_ordered(*p.as_table())) {
          Value v;
          std::string why;
          if (!node_to_value(*leaf.node, &v, &why)) ctx.error(int(leaf.pos.line), leaf.key, "in [sweep]: " + why);
          else spec.settings.emplace_back(leaf.key, std::move(v));
        }
        e.sweep.points.push_back(std::move(spec));
      }
    } else {
      ctx.error(kline, "sweep." + name, "unknown key" + did_you_mean(name, names_only({"grid", "points"})) +
                                            " ([sweep] has grid or points)");
    }
  }
  if (!e.sweep.grid.empty() && !e.sweep.points.empty())
    ctx.error(e.sweep.line, "sweep", "use either grid or points, not both");
}

// Every swept key exists and every value has the right type and range.
void check_sweep_keys(const Experiment& e, Ctx& ctx) {
  auto check = [&](const std::string& key, const Value& raw, int line) {
    KeyTarget t;
    std::string why = resolve_key(key, e, &t);
    if (why.empty() && t.stage < 0 && t.entry->table().empty()) why = "'" + key + "' cannot be swept";
    Value v;
    if (why.empty()) why = prepare_value(*t.entry, raw, &v);
    if (!why.empty()) ctx.error(line, key, "in [sweep]: " + why);
  };
  for (const SweepAxis& a : e.sweep.grid)
    for (const Value& v : a.values) check(a.key, v, a.line);
  for (const SweepPointSpec& p : e.sweep.points)
    for (const auto& [key, v] : p.settings) check(key, v, p.line);
}

void apply_one(Experiment& e, const Override& o, Ctx& ctx) {
  const std::string saved = ctx.file;
  ctx.file = o.file;
  KeyTarget t;
  std::string why = resolve_key(o.key, e, &t);
  Value raw = o.value, v;
  if (why.empty() && o.from_text) why = value_from_text(std::get<std::string>(o.value), t.entry->type, &raw);
  if (why.empty()) why = prepare_value(*t.entry, raw, &v);
  if (why.empty()) {
    store(e, t, v);
    ctx.given.insert(t.entry->key);
    // Remember the line when the value comes from the experiment file itself (a sweep).
    const std::string key = t.stage >= 0 ? "stage." + std::to_string(t.stage) + "." + t.entry->key : t.entry->key;
    if (o.line > 0 && o.file == e.file.string()) e.lines[key] = o.line;
    else e.lines.erase(key);
  } else {
    if (t.entry) ctx.given.insert(t.entry->key);
    ctx.error(o.line, o.key, why);
  }
  ctx.file = saved;
}

void add_issues(Ctx& ctx, const std::vector<ConfigIssue>& issues) {
  ctx.issues.insert(ctx.issues.end(), issues.begin(), issues.end());
}

void throw_if(const Ctx& ctx) {
  if (!ctx.issues.empty()) throw ConfigError(ctx.issues);
}

}  // namespace

Override parse_override(const std::string& text) {
  const size_t eq = text.find('=');
  auto trim = [](std::string s) {
    const size_t b = s.find_first_not_of(" \t");
    const size_t e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  if (eq == std::string::npos || trim(text.substr(0, eq)).empty())
    throw ConfigError({{"--set", 0, "", "'" + text + "' is not of the form table.key=value"}});
  Override o;
  o.key = trim(text.substr(0, eq));
  o.value = trim(text.substr(eq + 1));
  o.from_text = true;
  o.file = "--set";
  return o;
}

void apply_overrides(Experiment& e, const std::vector<Override>& overrides) {
  Ctx ctx;
  ctx.file = e.file.string();
  for (const Override& o : overrides) apply_one(e, o, ctx);
  if (ctx.issues.empty()) add_issues(ctx, check_experiment(e));
  throw_if(ctx);
  e.toml_text = to_toml(e);
}

Experiment parse_experiment(const std::string& text, const std::string& file_name_for_errors,
                            const std::vector<std::string>& overrides) {
  Ctx ctx;
  ctx.file = file_name_for_errors;
  Experiment e;
  e.file = file_name_for_errors;
  e.name = fs::path(file_name_for_errors).stem().string();

  toml::table root;
  try {
    root = toml::parse(text, file_name_for_errors);
  } catch (const toml::parse_error& err) {
    ctx.error(int(err.source().begin.line), "", "TOML syntax: " + std::string(err.description()));
    throw_if(ctx);
  }

  for (const auto& [k, n] : ordered(root)) {
    const std::string name = std::string(k->str());
    const int line = line_of(*k);
    if (name == "name" || name == "description") {
      set_from_node(e, *find_key(name), *n, line, ctx);
    } else if (name == "dataset" || name == "model" || name == "train" || name == "augment" || name == "export" ||
               name == "evaluation") {
      if (!n->is_table()) ctx.error(line, name, "expected a table [" + name + "]");
      else parse_table(e, name, *n->as_table(), ctx);
    } else if (name == "stage") {
      parse_stages(e, *n, line, ctx);
    } else if (name == "sweep") {
      parse_sweep(e, *n, line, ctx);
    } else if (n->is_table() || n->is_array_of_tables()) {
      ctx.error(line, name, "unknown table [" + name + "]" + did_you_mean(name, names_only(experiment_tables())) +
                                " (known: dataset, model, train, augment, stage, export, evaluation, sweep)");
    } else {
      auto cands = names_only({"name", "description"});
      for (const auto& t : experiment_tables()) cands.push_back({t, {}});
      std::string msg = "unknown key" + did_you_mean(name, cands);
      for (const auto& t : experiment_tables())
        if (find_key(t + "." + name)) msg += " ('" + name + "' belongs in [" + t + "])";
      ctx.error(line, name, msg);
    }
  }

  for (const std::string& text_override : overrides) {
    try {
      apply_one(e, parse_override(text_override), ctx);
    } catch (const ConfigError& err) {
      ctx.issues.insert(ctx.issues.end(), err.issues().begin(), err.issues().end());
    }
  }

  for (const SchemaEntry& entry : experiment_schema()) {
    if (!entry.required || ctx.given.count(entry.key)) continue;
    if (!entry.required_unless.empty() && ctx.given.count(entry.required_unless)) continue;
    const auto* table = root.get(entry.table());
    ctx.error(table ? line_of(*table) : 0, entry.key,
              "required key is missing (add " + entry.name() + " = ... to [" + entry.table() + "])");
  }
  check_sweep_keys(e, ctx);
  if (ctx.issues.empty()) add_issues(ctx, check_experiment(e));
  throw_if(ctx);

  if (!e.model.onnx.empty()) e.model.name = "onnx";  // the network comes from model.onnx
  e.toml_text = to_toml(e);
  if (!e.sweep.empty()) expand_sweep(e);  // validates every point; throws ConfigError
  return e;
}

Experiment load_experiment(const fs::path& file, const std::vector<std::string>& overrides) {
  std::ifstream in(file, std::ios::binary);
  if (!in || fs::is_directory(file)) throw ConfigError({{file.string(), 0, "", "cannot read the experiment file"}});
  // Read at most 16 MiB: a sparse file or /dev/zero must not fill memory.
  constexpr size_t kMaxBytes = size_t(16) << 20;
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk), in.gcount() > 0) {
    text.append(chunk, size_t(in.gcount()));
    if (text.size() > kMaxBytes) throw ConfigError({{file.string(), 0, "", "the file is over 16 MiB: not an experiment"}});
  }
  Experiment e = parse_experiment(text, file.string(), overrides);
  e.file = file;
  return e;
}

}  // namespace slimlab::exp
