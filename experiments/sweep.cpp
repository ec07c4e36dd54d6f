#include "experiments/sweep.h"

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

}  // namespace slimlab::exp
