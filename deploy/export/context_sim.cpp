#include "deploy/export/context_sim.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <random>
#include <sstream>
#include <stdexcept>

namespace slimlab::deploy {

namespace {

const char* const kColumns[] = {"latency_us", "energy_uj", "macs", "level"};

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream s(line);
  while (std::getline(s, cell, ',')) {
    const size_t a = cell.find_first_not_of(" \t\r"), b = cell.find_last_not_of(" \t\r");
    out.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
  }
  return out;
}

slimrt::BudgetKind kind_of(const std::string& column, slimrt::BudgetKind level_kind) {
  if (column == "latency_us") return slimrt::BudgetKind::kLatencyUs;
  if (column == "energy_uj") return slimrt::BudgetKind::kEnergyUj;
  if (column == "macs") return slimrt::BudgetKind::kMacs;
  return level_kind;
}

double cost_extreme(const std::vector<slimrt::OperatingPoint>& points, slimrt::BudgetKind kind, bool dearest) {
  double v = slimrt::point_cost(points.at(0), kind);
  for (const auto& p : points) v = dearest ? std::max(v, slimrt::point_cost(p, kind)) : std::min(v, slimrt::point_cost(p, kind));
  if (v < 0) throw std::invalid_argument("synth_trace: the points have no cost of that kind (export with measurement)");
  return v;
}

}  // namespace

BudgetTrace read_trace(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open the trace");
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(file.string() + ": empty trace (a header is needed)");
  const std::vector<std::string> header = split_csv(line);
  BudgetTrace t;
  size_t col = header.size();
  for (size_t c = 0; c < header.size(); ++c)
    for (const char* name : kColumns)
      if (header[c] == name) {
        if (col != header.size())
          throw std::runtime_error(file.string() + ":1: two budget columns ('" + header[col] + "' and '" + header[c] +
                                   "'); give one of latency_us, energy_uj, macs, level");
        col = c;
        t.column = name;
      }
  if (col == header.size())
    throw std::runtime_error(file.string() + ":1: no budget column (latency_us, energy_uj, macs or level) in the header");
  for (size_t n = 2; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::vector<std::string> cells = split_csv(line);
    if (col >= cells.size()) throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": no '" + t.column + "' value");
    char* end = nullptr;
    const double v = std::strtod(cells[col].c_str(), &end);
    if (cells[col].empty() || *end != '\0' || !std::isfinite(v) || v < 0 || (t.column == "level" && v > 1))
      throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": " + t.column + " '" + cells[col] + "' is not " +
                               (t.column == "level" ? "a level in [0, 1]" : "a budget >= 0"));
    t.values.push_back(v);
  }
  if (t.values.empty()) throw std::runtime_error(file.string() + ": the trace has no rows");
  return t;
}

void write_trace(const std::filesystem::path& file, const BudgetTrace& t) {
  std::ofstream out(file);
  out << std::setprecision(17) << "step," << t.column << "\n";
  for (size_t i = 0; i < t.values.size(); ++i) out << i << "," << t.values[i] << "\n";
  if (!out) throw std::runtime_error(file.string() + ": cannot write the trace");
}

BudgetTrace synth_trace(const std::string& kind, size_t steps, const std::vector<slimrt::OperatingPoint>& points,
                        uint32_t seed) {
  BudgetTrace t;
  if (kind == "battery") {
    t.column = "level";
    for (size_t i = 0; i < steps; ++i) t.values.push_back(steps > 1 ? 1.0 - double(i) / double(steps - 1) : 1.0);
  } else if (kind == "contention") {
    t.column = "latency_us";
    const double full = cost_extreme(points, slimrt::BudgetKind::kLatencyUs, true);
    std::mt19937 rng{seed};
    double share = 1;
    for (size_t i = 0; i < steps; ++i) {
      if (i % 50 == 0) share = 1.0 / double(1 + rng() % 4);  // 1, 2, 3 or 4 processes on the core
      t.values.push_back(full * 1.05 * share);
    }
  } else if (kind == "duty") {
    t.column = "energy_uj";
    const double hi = cost_extreme(points, slimrt::BudgetKind::kEnergyUj, true);
    const double lo = cost_extreme(points, slimrt::BudgetKind::kEnergyUj, false);
    for (size_t i = 0; i < steps; ++i) t.values.push_back(i % 100 < 30 ? hi : lo);
  } else {
    throw std::invalid_argument("synthetic trace '" + kind + "': battery, contention or duty");
  }
  return t;
}

SimResult simulate_context(const std::shared_ptr<const slimrt::Model>& model, const data::ArraySet& test,
                           const BudgetTrace& trace, const SimOptions& o) {
  const auto& points = model->operating_points();
  const size_t np = points.size();
  if (test.size() == 0) throw std::invalid_argument("simulate_context: no test samples");
  slimrt::Interpreter in(model);
  const size_t per = size_t(in.input(0).numel);
  if (size_t(test.sample_numel()) != per)
    throw std::invalid_argument("simulate_context: test samples have " + std::to_string(test.sample_numel()) +
                                " values, the model's input takes " + std::to_string(per));
  const slimrt::BudgetKind kind = kind_of(trace.column, o.level_kind);
  SimResult r;
  r.steps = trace.values.size();
  r.budget_kind = kind;
  r.rows.reserve(r.steps);
  r.chosen_count.assign(np, 0);
  r.fixed_accuracy.assign(np, 0);
  for (const auto& p : points) {
    r.point_names.push_back(p.name);
    r.point_energy_uj.push_back(p.energy_uj);
  }
  for (const auto& p : points)
    if (p.energy_uj < 0)
      throw std::invalid_argument("simulate_context: operating point '" + p.name +
                                  "' has no energy estimate (export it with slimlab export --operating-points)");
  std::vector<float> y(size_t(in.output(0).numel));
  auto correct_at = [&](size_t point, size_t sample) {
    in.set_operating_point(point);
    in.set_input(0, test.sample(sample), per);
    in.invoke();
    in.get_output(0, y.data(), y.size());
    return size_t(std::max_element(y.begin(), y.end()) - y.begin()) == size_t(test.labels[sample]);
  };
  std::vector<size_t> order(test.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (o.seed) {
    std::mt19937 rng{o.seed};
    std::shuffle(order.begin(), order.end(), rng);
  }
  if (o.planner != "greedy" && o.planner != "rate")
    throw std::invalid_argument("simulate_context: planner '" + o.planner + "': greedy or rate");
  const bool rate = o.planner == "rate";
  if (rate && kind != slimrt::BudgetKind::kEnergyUj)
    throw std::invalid_argument("simulate_context: the rate planner spends an energy allowance; this trace's budget is " +
                                trace.column + (trace.column == "level" ? " mapped to latency / MACs" : "") +
                                " (a cap per inference: use --planner greedy)");
  slimrt::PointPolicy policy(points, o.hysteresis);
  slimrt::RatePlanner planner(points);
  std::vector<double> budgets(r.steps);
  double allowance = 0;  // what the trace lets the run spend in all
  for (size_t row = 0; row < r.steps; ++row) {
    budgets[row] = trace.column == "level" ? slimrt::budget_for_level(points, kind, trace.values[row])
                                           : trace.values[row];
    allowance += budgets[row];
  }
  const size_t buckets = std::max<size_t>(1, std::min(o.buckets, r.steps));
  r.slices.resize(buckets);
  size_t right = 0;
  std::vector<size_t> fixed_right(np, 0);
  for (size_t row = 0; row < r.steps; ++row) {
    const double budget = budgets[row];
    if (rate) planner.set_rate(std::max(0.0, (allowance - r.adaptive_energy_uj) / double(r.steps - row)));
    const size_t p = rate ? planner.next() : policy.choose(kind, budget);
    const size_t sample = order[row % test.size()];
    const bool ok = correct_at(p, sample);
    right += ok;
    ++r.chosen_count[p];
    const double cost = slimrt::point_cost(points[p], kind);
    if (cost > budget) ++r.over_budget;
    r.rows.push_back({budget, cost, uint32_t(p), ok});
    for (size_t q = 0; q < np; ++q) fixed_right[q] += q == p ? ok : correct_at(q, sample);
    SimSlice& s = r.slices[row * buckets / r.steps];
    if (s.end == 0) s.begin = row;
    s.end = row + 1;
    s.mean_budget += budget;
    s.accuracy += ok;
    s.energy_uj += points[p].energy_uj;
    s.mean_point += double(p);
    r.adaptive_energy_uj += points[p].energy_uj;
  }
  for (size_t b = 0; b < buckets; ++b) {
    SimSlice& s = r.slices[b];
    const double n = double(std::max<size_t>(1, s.end - s.begin));
    s.mean_budget /= n;
    s.accuracy /= n;
    s.mean_point /= n;
  }
  r.adaptive_accuracy = double(right) / double(r.steps);
  for (size_t q = 0; q < np; ++q) r.fixed_accuracy[q] = double(fixed_right[q]) / double(r.steps);
  r.switches = rate ? planner.switches() : policy.switches();
  r.allowance_uj = allowance;
  return r;
}

const char* budget_unit(slimrt::BudgetKind kind) {
  switch (kind) {
    case slimrt::BudgetKind::kLatencyUs: return "latency_us";
    case slimrt::BudgetKind::kMacs: return "macs";
    default: return "energy_uj";
  }
}

void write_rows_csv(const std::filesystem::path& file, const SimResult& r, const BudgetTrace& trace) {
  std::ofstream out(file);
  const std::string unit = budget_unit(r.budget_kind);
  out << std::setprecision(10) << "row,trace_" << trace.column << ",budget_" << unit << ",cost_" << unit
      << ",point,point_name,correct,spent_uj\n";
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const SimStep& s = r.rows[i];
    out << i << "," << trace.values.at(i) << "," << s.budget << "," << s.cost << "," << s.point << ","
        << r.point_names.at(s.point) << "," << int(s.correct) << "," << r.point_energy_uj.at(s.point) << "\n";
  }
  if (!out) throw std::runtime_error(file.string() + ": cannot write the simulation rows");
}

void write_summary_csv(const std::filesystem::path& file, const SimResult& r) {
  std::ofstream out(file);
  out << std::setprecision(10) << "policy,point,accuracy,energy_uj,uj_per_inference,rows\n";
  const double n = double(std::max<size_t>(1, r.steps));
  out << "adaptive,," << r.adaptive_accuracy << "," << r.adaptive_energy_uj << "," << r.adaptive_energy_uj / n << ","
      << r.steps << "\n";
  for (size_t p = 0; p < r.point_names.size(); ++p)
    out << "fixed," << r.point_names[p] << "," << r.fixed_accuracy[p] << "," << r.point_energy_uj[p] * double(r.steps)
        << "," << r.point_energy_uj[p] << "," << r.chosen_count[p] << "\n";
  if (!out) throw std::runtime_error(file.string() + ": cannot write the simulation summary");
}

}  // namespace slimlab::deploy
