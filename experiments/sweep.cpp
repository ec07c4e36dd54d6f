#include "experiments/sweep.h"

#include <cstdio>
#include <cstdlib>

#include "datasets/pipeline.h"

#include <algorithm>

namespace slimlab::exp {

namespace {

constexpr size_t kMaxPoints = 10000;

struct Setting {
  std::string key;
  Value value;
  int line = 0;
};

std::string point_prefix(size_t index, size_t count) {
  int digits = 2;
  for (size_t n = count > 0 ? count - 1 : 0; n >= 100; n /= 10) ++digits;
  std::string n = std::to_string(index);
  if (n.size() < size_t(digits)) n.insert(0, size_t(digits) - n.size(), '0');
  return "p" + n;
}

}  // namespace

std::string sanitize_id(const std::string& text, size_t max_length) {
  std::string out;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '=' || c == '+' || c == '-';
    out += ok ? c : '_';
  }
  if (out.size() > max_length) out.resize(max_length);
  // "." and ".." are not folders of their own.
  if (out.find_first_not_of('.') == std::string::npos) out = "_" + out;
  return out;
}

std::vector<SweepPoint> expand_sweep(const Experiment& e) {
  Experiment base = e;
  base.sweep = SweepConfig{};
  base.toml_text = to_toml(base);
  if (e.sweep.empty()) return {SweepPoint{"p00", {}, base}};

  const std::string file = e.file.string();
  std::vector<std::vector<Setting>> points;
  if (!e.sweep.grid.empty() && !e.sweep.points.empty())
    throw ConfigError({{file, e.sweep.line, "sweep", "use either grid or points, not both"}});
  if (!e.sweep.grid.empty()) {
    size_t count = 1;
    for (const SweepAxis& a : e.sweep.grid) {
      if (a.values.empty()) throw ConfigError({{file, a.line, a.key, "a [sweep] grid axis needs values"}});
      count *= a.values.size();
      if (count > kMaxPoints)
        throw ConfigError({{file, a.line, a.key,
                            "the [sweep] grid has more than " + std::to_string(kMaxPoints) + " points"}});
    }
    // Mixed-radix counting with the last axis fastest: the first axis varies slowest.
    for (size_t i = 0; i < count; ++i) {
      std::vector<Setting> p(e.sweep.grid.size());
      size_t rest = i;
      for (size_t k = e.sweep.grid.size(); k-- > 0;) {
        const SweepAxis& a = e.sweep.grid[k];
        p[k] = {a.key, a.values[rest % a.values.size()], a.line};
        rest /= a.values.size();
      }
      points.push_back(std::move(p));
    }
  } else {
    if (e.sweep.points.size() > kMaxPoints)
      throw ConfigError({{file, e.sweep.line, "sweep.points", "more than " + std::to_string(kMaxPoints) + " points"}});
    for (const SweepPointSpec& spec : e.sweep.points) {
      std::vector<Setting> p;
      for (const auto& [key, value] : spec.settings) p.push_back({key, value, spec.line});
      points.push_back(std::move(p));
    }
  }

  std::vector<SweepPoint> out;
  // One issue per problem: the same problem in several points (a bad value crossed
  // with another axis) is reported once, naming the points.
  std::vector<ConfigIssue> issues;
  std::vector<std::vector<std::string>> issue_points;
  for (size_t i = 0; i < points.size(); ++i) {
    SweepPoint sp;
    std::string id = point_prefix(i, points.size());
    std::vector<Override> ovs;
    for (const Setting& s : points[i]) {
      id += "-" + s.key + "=" + plain_text(s.value);
      sp.overrides.push_back(s.key + "=" + toml_literal(s.value));
      ovs.push_back(Override{s.key, s.value, false, file, s.line});
    }
    sp.id = sanitize_id(id);
    sp.experiment = base;
    try {
      apply_overrides(sp.experiment, ovs);
    } catch (const ConfigError& err) {
      for (const ConfigIssue& issue : err.issues()) {
        auto same = std::find_if(issues.begin(), issues.end(), [&](const ConfigIssue& x) {
          return x.file == issue.file && x.line == issue.line && x.key == issue.key && x.message == issue.message;
        });
        if (same == issues.end()) {
          issues.push_back(issue);
          issue_points.push_back({sp.id});
        } else {
          issue_points[size_t(same - issues.begin())].push_back(sp.id);
        }
      }
      continue;
    }
    out.push_back(std::move(sp));
  }
  if (issues.empty()) return out;
  for (size_t i = 0; i < issues.size(); ++i) {
    const auto& ids = issue_points[i];
    std::string where = ids.size() == 1 ? "in sweep point " + ids[0] : "in sweep points " + ids[0];
    for (size_t k = 1; k < ids.size() && k < 3; ++k) where += ", " + ids[k];
    if (ids.size() > 3) where += " and " + std::to_string(ids.size() - 3) + " more";
    issues[i].message = where + ": " + issues[i].message;
  }
  throw ConfigError(issues);
}

int protocol_folds(const Experiment& e) {
  const std::string& p = e.evaluation.protocol;
  const int folds = e.dataset.split_options.folds;
  if (p == "kfold") return folds > 0 ? folds : 5;
  if (p == "loso") {
    if (folds > 0) return folds;
    data::DatasetConfig c = e.dataset;
    c.split_options.fold = 0;  // counted as a cross-validation split resolves it
    return data::cross_validation_folds(c);
  }
  return 0;
}

std::vector<SweepPoint> expand_protocol(const std::vector<SweepPoint>& points, int folds) {
  std::vector<SweepPoint> out;
  for (const SweepPoint& p : points) {
    const EvaluationConfig& ev = p.experiment.evaluation;
    const bool cv = ev.protocol != "holdout";
    if (!cv && ev.repeats <= 1) {
      out.push_back(p);
      continue;
    }
    if (cv && folds < 2)
      throw ConfigError({{p.experiment.file.string(), 0, "evaluation.folds",
                          ev.protocol + " needs at least 2 folds (got " + std::to_string(folds) + ")"}});
    const int fold_runs = cv ? folds : 1;
    const uint64_t seed0 = p.experiment.train.seed;
    for (int f = 0; f < fold_runs; ++f)
      for (int r = 0; r < ev.repeats; ++r) {
        SweepPoint q = p;
        char tag[48];
        if (cv) std::snprintf(tag, sizeof tag, "-f%02d-s%d", f, r);
        else std::snprintf(tag, sizeof tag, "-s%d", r);
        q.id = p.id + tag;
        std::vector<Override> ovs;
        if (cv) {
          ovs.push_back(Override{"evaluation.fold", Value(int64_t(f)), false, "[evaluation]", 0});
          if (ev.protocol == "kfold")  // loso keeps 0: fold k is the k-th subject by name
            ovs.push_back(Override{"evaluation.folds", Value(int64_t(folds)), false, "[evaluation]", 0});
        }
        ovs.push_back(Override{"train.seed", Value(int64_t(seed0 + uint64_t(r))), false, "[evaluation]", 0});
        for (const Override& o : ovs) q.overrides.push_back(o.key + "=" + toml_literal(o.value));
        apply_overrides(q.experiment, ovs);
        out.push_back(std::move(q));
      }
  }
  return out;
}

ProtocolTag parse_protocol_tag(const std::string& run_id) {
  ProtocolTag t;
  t.stem = run_id;
  // "-sN" at the end, optionally preceded by "-fNN".
  const size_t s = run_id.rfind("-s");
  if (s == std::string::npos || s + 2 >= run_id.size() ||
      run_id.find_first_not_of("0123456789", s + 2) != std::string::npos)
    return t;
  t.seed_index = std::atoi(run_id.c_str() + s + 2);
  t.tagged = true;
  t.stem = run_id.substr(0, s);
  const size_t f = t.stem.rfind("-f");
  if (f != std::string::npos && f + 2 < t.stem.size() &&
      t.stem.find_first_not_of("0123456789", f + 2) == std::string::npos) {
    t.fold = std::atoi(t.stem.c_str() + f + 2);
    t.stem = t.stem.substr(0, f);
  }
  return t;
}

}  // namespace slimlab::exp
