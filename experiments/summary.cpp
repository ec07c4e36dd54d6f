#include "experiments/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "experiments/runs.h"
#include "experiments/sweep.h"

namespace slimlab::exp {

namespace {

// Continued fraction of the regularized incomplete beta function (modified Lentz).
double beta_fraction(double a, double b, double x) {
  const double tiny = 1e-300, eps = 1e-15;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 500; ++m) {
    const double m2 = 2.0 * m;
    for (int step = 0; step < 2; ++step) {
      const double num = step == 0 ? m * (b - m) * x / ((a + m2 - 1) * (a + m2))
                                   : -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
      d = 1 + num * d;
      if (std::fabs(d) < tiny) d = tiny;
      c = 1 + num / c;
      if (std::fabs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
      if (step == 1 && std::fabs(d * c - 1) < eps) return h;
    }
  }
  return h;
}

// I_x(a, b).
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
                                b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

std::string fmt(double v, const std::string& metric) {
  const bool percent = metric.find("accuracy") != std::string::npos || metric.find("f1") != std::string::npos;
  char buf[64];
  if (percent) std::snprintf(buf, sizeof buf, "%.2f", 100 * v);
  else if (std::fabs(v) >= 1e4) return short_count(v);
  else std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string spread_text(const Spread& s, const std::string& metric) {
  if (s.n == 0) return "-";
  std::string out = fmt(s.mean, metric);
  if (s.n >= 2) out += " ± " + fmt(s.std, metric) + " [" + fmt(s.ci_low, metric) + ", " + fmt(s.ci_high, metric) + "]";
  return out;
}

std::string pair_key(const std::string& run_id) {
  const ProtocolTag t = parse_protocol_tag(run_id);
  return "f" + std::to_string(t.fold) + "s" + std::to_string(t.seed_index);
}

}  // namespace

double t_two_sided_p(double t, double df) {
  if (!(df > 0)) return 1;
  if (std::isinf(t)) return 0;
  return incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

double t_quantile(double p, double df) {
  if (p <= 0 || p >= 1 || !(df > 0)) throw std::invalid_argument("t_quantile: p must be in (0, 1), df > 0");
  if (p == 0.5) return 0;
  const double tail = 2 * std::min(p, 1 - p);  // two-sided p of |q|
  double lo = 0, hi = 1;
  while (t_two_sided_p(hi, df) > tail) hi *= 2;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    (t_two_sided_p(mid, df) > tail ? lo : hi) = mid;
  }
  const double q = (lo + hi) / 2;
  return p > 0.5 ? q : -q;
}

Spread spread(const std::vector<double>& v) {
  Spread s;
  s.n = int(v.size());
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / double(v.size());
  s.ci_low = s.ci_high = s.mean;
  if (v.size() < 2) return s;
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(ss / double(v.size() - 1));
  const double half = t_quantile(0.975, double(v.size() - 1)) * s.std / std::sqrt(double(v.size()));
  s.ci_low = s.mean - half;
  s.ci_high = s.mean + half;
  return s;
}

std::vector<RunGroup> group_runs(const std::vector<RunRecord>& runs) {
  std::map<std::pair<std::string, std::string>, RunGroup> by_key;
  std::vector<std::pair<std::string, std::string>> order;
  for (const RunRecord& r : runs) {
    const ProtocolTag t = parse_protocol_tag(r.run_id);
    const auto key = std::make_pair(r.experiment, t.stem);
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      it = by_key.emplace(key, RunGroup{r.experiment, t.stem, {}, 0, 0}).first;
      order.push_back(key);
    }
    it->second.runs.push_back(&r);
  }
  std::vector<RunGroup> out;
  for (const auto& key : order) {
    RunGroup g = by_key[key];
    std::set<int> folds, seeds;
    for (const RunRecord* r : g.runs) {
      const ProtocolTag t = parse_protocol_tag(r->run_id);
      if (t.fold >= 0) folds.insert(t.fold);
      seeds.insert(t.seed_index);
    }
    g.folds = int(folds.size());
    g.seeds = int(seeds.size());
    out.push_back(std::move(g));
  }
  return out;
}

std::string summary_table(const std::vector<RunGroup>& groups, const std::vector<std::string>& metrics) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"experiment", "point", "runs"};
  for (const auto& m : metrics) head.push_back(m);
  rows.push_back(head);
  for (const RunGroup& g : groups) {
    int finished = 0;
    for (const RunRecord* r : g.runs) finished += r->status == "finished";
    std::string runs = std::to_string(finished) + "/" + std::to_string(g.runs.size());
    if (g.folds > 0) runs += " (" + std::to_string(g.folds) + " folds × " + std::to_string(g.seeds) + " seeds)";
    else if (g.seeds > 1) runs += " (" + std::to_string(g.seeds) + " seeds)";
    std::vector<std::string> row = {g.experiment, g.stem, runs};
    for (const auto& m : metrics) {
      std::vector<double> v;
      for (const RunRecord* r : g.runs)
        if (r->status == "finished")
          if (const auto x = numeric_value(*r, m)) v.push_back(*x);
      row.push_back(spread_text(spread(v), m));
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(head.size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::ostringstream os;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      os << r[i];
      if (i + 1 < r.size()) os << std::string(width[i] - r[i].size() + 2, ' ');
    }
    os << "\n";
  }
  os << "mean ± std [95 % confidence interval of the mean, Student's t] over finished runs";
  for (const auto& m : metrics)
    if (m.find("accuracy") != std::string::npos || m.find("f1") != std::string::npos) {
      os << "; accuracies and F1 in %";
      break;
    }
  os << "\n";
  return os.str();
}

PairedTest paired_test(const RunGroup& a, const RunGroup& b, const std::string& metric) {
  PairedTest out;
  std::map<std::string, double> va;
  for (const RunRecord* r : a.runs)
    if (r->status == "finished")
      if (const auto x = numeric_value(*r, metric)) va[pair_key(r->run_id)] = *x;
  std::vector<double> xa, xb, d;
  std::set<std::string> matched;
  for (const RunRecord* r : b.runs) {
    const auto x = r->status == "finished" ? numeric_value(*r, metric) : std::nullopt;
    const auto it = x ? va.find(pair_key(r->run_id)) : va.end();
    if (it == va.end()) {
      out.unmatched.push_back(b.experiment + "/" + r->run_id);
      continue;
    }
    matched.insert(it->first);
    xa.push_back(it->second);
    xb.push_back(*x);
    d.push_back(*x - it->second);
  }
  for (const RunRecord* r : a.runs)
    if (!matched.count(pair_key(r->run_id))) out.unmatched.push_back(a.experiment + "/" + r->run_id);
  out.n = int(d.size());
  out.a = spread(xa);
  out.b = spread(xb);
  out.diff = spread(d);
  if (out.n >= 2 && out.diff.std > 0) {
    out.t = out.diff.mean / (out.diff.std / std::sqrt(double(out.n)));
    out.p_value = t_two_sided_p(out.t, double(out.n - 1));
  } else if (out.n >= 2 && out.diff.mean != 0) {
    out.t = out.diff.mean > 0 ? INFINITY : -INFINITY;  // every pair differs by the same amount
    out.p_value = 0;
  }
  return out;
}

std::string format_paired_test(const RunGroup& a, const RunGroup& b, const std::string& metric,
                               const PairedTest& t) {
  std::ostringstream os;
  os << metric << " over " << t.n << " matching runs (same fold and seed)\n";
  os << "  A " << a.experiment << "/" << a.stem << ": " << spread_text(t.a, metric) << "\n";
  os << "  B " << b.experiment << "/" << b.stem << ": " << spread_text(t.b, metric) << "\n";
  os << "  B − A: " << spread_text(t.diff, metric) << "\n";
  char buf[160];
  if (t.n >= 2) {
    std::snprintf(buf, sizeof buf, "  paired t-test: t = %.3f, df = %d, p = %.4g (two-sided)%s\n", t.t, t.n - 1,
                  t.p_value, t.p_value < 0.05 ? ": the difference is significant at 5 %" : ": not significant at 5 %");
    os << buf;
  } else {
    os << "  paired t-test: needs at least 2 matching runs\n";
  }
  if (!t.unmatched.empty()) {
    os << "  without a partner (left out): " << t.unmatched.size() << " —";
    for (size_t i = 0; i < t.unmatched.size() && i < 5; ++i) os << " " << t.unmatched[i];
    if (t.unmatched.size() > 5) os << " …";
    os << "\n";
  }
  return os.str();
}

const RunGroup& find_group(const std::vector<RunGroup>& groups, const std::string& name) {
  std::vector<const RunGroup*> hits;
  for (const RunGroup& g : groups)
    if (g.experiment + "/" + g.stem == name || g.experiment == name) hits.push_back(&g);
  if (hits.size() == 1) return *hits[0];
  std::string known;
  for (const RunGroup& g : groups) known += "\n  " + g.experiment + "/" + g.stem;
  if (hits.empty()) throw std::invalid_argument("no runs match '" + name + "'; the points are:" + known);
  throw std::invalid_argument("'" + name + "' matches " + std::to_string(hits.size()) +
                              " points; name one as <experiment>/<point>:" + known);
}

}  // namespace slimlab::exp
