// Operating points (docs/ADAPTIVE.md): the file's point table checked and indexed at
// load, and the policy that picks a point for a budget per inference.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <set>

#include "op_registry.h"
#include "verifier.h"

namespace slimrt {

namespace detail {
namespace {

constexpr size_t kMaxPoints = 64;

[[noreturn]] __attribute__((format(printf, 2, 3))) void point_fail(const std::string& where, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(where + ": ", fmt, ap);
}

// A point's inputs and outputs must look like the main graph's: the caller's buffers
// do not change size when the point does.
void same_io(const std::vector<int>& a, const std::vector<TensorDesc>& ta, const std::vector<int>& b,
             const std::vector<TensorDesc>& tb, const char* what, const std::string& where) {
  if (a.size() != b.size())
    point_fail(where, "has %zu %ss, the model's graph %zu", b.size(), what, a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const TensorDesc& x = ta[size_t(a[i])];
    const TensorDesc& y = tb[size_t(b[i])];
    if (x.dtype != y.dtype || x.shape != y.shape)
      point_fail(where, "%s %zu '%s' is %s %s, the model's graph has %s %s", what, i, y.name.c_str(),
                 dtype_name(y.dtype), ops::shape_str(y.shape).c_str(), dtype_name(x.dtype),
                 ops::shape_str(x.shape).c_str());
  }
}

OperatingPoint read_info(const fb::OperatingPoint& p, const std::string& where) {
  OperatingPoint o;
  o.name = p.name() ? p.name()->str() : "";
  o.width = p.width();
  o.precision = p.precision() ? p.precision()->str() : "";
  o.accuracy = p.accuracy();
  o.macs = p.macs();
  o.weight_bytes = p.weight_bytes();
  o.latency_us = p.latency_us();
  o.energy_uj = p.energy_uj();
  o.main = p.graph() == nullptr;
  o.from_table = true;
  if (o.name.empty() || o.name.size() > 64) point_fail(where, "needs a name of 1..64 characters");
  if (o.precision.size() > 32) point_fail(where, "precision name is too long");
  if (!(o.width >= 0 && o.width <= 1)) point_fail(where, "width %g is outside [0, 1]", o.width);
  if (!(o.accuracy == -1 || (o.accuracy >= 0 && o.accuracy <= 1)))
    point_fail(where, "accuracy %g is neither -1 (unknown) nor in [0, 1]", o.accuracy);
  if (o.macs < 0 || o.weight_bytes < 0) point_fail(where, "negative MACs or weight bytes");
  if (!(o.latency_us == -1 || (o.latency_us >= 0 && std::isfinite(o.latency_us))))
    point_fail(where, "latency_us %g is neither -1 (unknown) nor a finite value >= 0", o.latency_us);
  if (!(o.energy_uj == -1 || (o.energy_uj >= 0 && std::isfinite(o.energy_uj))))
    point_fail(where, "energy_uj %g is neither -1 (unknown) nor a finite value >= 0", o.energy_uj);
  return o;
}

}  // namespace

std::vector<VerifiedPoint> verify_points(const fb::Model& m, const Verified& main, const uint8_t* base, size_t size,
                                         const std::string& origin) {
  std::vector<VerifiedPoint> out;
  const auto* table = m.operating_points();
  if (!table) return out;
  if (table->size() == 0 || table->size() > kMaxPoints)
    point_fail(origin, "operating point table has %u entries (1..%zu)", table->size(), kMaxPoints);
  std::set<std::string> names;
  size_t mains = 0;
  for (flatbuffers::uoffset_t i = 0; i < table->size(); ++i) {
    const fb::OperatingPoint& p = *table->Get(i);
    char n[48];
    std::snprintf(n, sizeof n, ": operating point %u", unsigned(i));
    std::string where = origin + n;
    VerifiedPoint vp;
    vp.info = read_info(p, where);
    where += " '" + vp.info.name + "'";
    if (!names.insert(vp.info.name).second) point_fail(where, "the name is used by an earlier point");
    if (vp.info.main) {
      if (++mains > 1) point_fail(where, "a second point without a graph (only the model's own graph may be one)");
    } else {
      const fb::PointGraph& g = *p.graph();
      vp.has_graph = true;
      verify_graph({g.tensors(), g.ops(), g.inputs(), g.outputs()}, m.buffers(), base, size, where, true, vp.graph);
      same_io(main.inputs, main.tensors, vp.graph.inputs, vp.graph.tensors, "input", where);
      same_io(main.outputs, main.tensors, vp.graph.outputs, vp.graph.tensors, "output", where);
    }
    out.push_back(std::move(vp));
  }
  if (mains == 0) point_fail(origin, "operating point table: no point is the model's own graph (one must have no graph)");
  return out;
}

}  // namespace detail

void Model::index_points(const std::string& origin, const LoadOptions&) {
  const fb::Model* root = fb::GetModel(bytes_);
  detail::Verified main;
  main.tensors = tensors_;
  main.inputs = inputs_;
  main.outputs = outputs_;
  std::vector<detail::VerifiedPoint> table = detail::verify_points(*root, main, bytes_, size_, origin);
  if (table.empty()) {  // the implicit point: the model itself
    OperatingPoint p;
    p.name = "model";
    p.precision = metadata_.precision;
    p.accuracy = metadata_.accuracy;
    p.macs = macs();
    p.weight_bytes = int64_t(weight_bytes());
    p.main = true;
    points_.push_back(p);
    point_graphs_.resize(1);
    return;
  }
  for (size_t i = 0; i < table.size(); ++i) {
    detail::VerifiedPoint& vp = table[i];
    points_.push_back(vp.info);
    std::unique_ptr<Model> g;
    if (vp.has_graph) {
      g.reset(new Model());
      g->bytes_ = bytes_;
      g->size_ = size_;
      g->storage_kind_ = storage_kind_;
      g->format_version_ = format_version_;
      g->checksums_verified_ = checksums_verified_;
      g->tensors_ = std::move(vp.graph.tensors);
      g->ops_ = std::move(vp.graph.ops);
      g->inputs_ = std::move(vp.graph.inputs);
      g->outputs_ = std::move(vp.graph.outputs);
      g->metadata_ = metadata_;
      g->metadata_.accuracy = vp.info.accuracy;
      g->metadata_.precision = vp.info.precision.empty() ? metadata_.precision : vp.info.precision;
      g->points_.push_back(vp.info);
      g->points_.back().main = true;
      g->point_graphs_.resize(1);
    } else {
      main_point_ = i;
    }
    point_graphs_.push_back(std::move(g));
  }
}

const Model* Model::point_graph(size_t i) const {
  if (i >= points_.size()) detail::throw_fmt("operating point %zu does not exist (the model has %zu)", i, points_.size());
  return point_graphs_[i].get();
}

size_t Model::find_point(const std::string& name) const {
  std::string names;
  for (size_t i = 0; i < points_.size(); ++i) {
    if (points_[i].name == name) return i;
    names += (i ? ", " : "") + points_[i].name;
  }
  detail::throw_fmt("no operating point '%s' (the model has: %s)", name.c_str(), names.c_str());
}

// ---- policy ---------------------------------------------------------------------------

double point_cost(const OperatingPoint& p, BudgetKind kind) {
  switch (kind) {
    case BudgetKind::kLatencyUs: return p.latency_us;
    case BudgetKind::kEnergyUj: return p.energy_uj;
    case BudgetKind::kMacs: return double(p.macs);
  }
  return -1;
}

namespace {
const char* kind_name(BudgetKind k) {
  return k == BudgetKind::kLatencyUs ? "latency" : k == BudgetKind::kEnergyUj ? "energy" : "MACs";
}

// Costs of every point; throws when one is unknown.
std::vector<double> costs_of(const std::vector<OperatingPoint>& points, BudgetKind kind) {
  if (points.empty()) detail::throw_fmt("choose_point: no operating points");
  std::vector<double> c;
  for (const auto& p : points) {
    c.push_back(point_cost(p, kind));
    if (c.back() < 0)
      detail::throw_fmt("choose_point: operating point '%s' has no %s in the file (export with measurement)",
                        p.name.c_str(), kind_name(kind));
  }
  return c;
}

// a is better than b: more accurate, or as accurate and cheaper.
bool better(const OperatingPoint& a, double ca, const OperatingPoint& b, double cb) {
  return a.accuracy > b.accuracy || (a.accuracy == b.accuracy && ca < cb);
}
}  // namespace

size_t choose_point(const std::vector<OperatingPoint>& points, BudgetKind kind, double budget, long current,
                    double hysteresis) {
  const std::vector<double> cost = costs_of(points, kind);
  if (!(hysteresis >= 0 && hysteresis < 1)) detail::throw_fmt("choose_point: hysteresis %g is outside [0, 1)", hysteresis);
  if (std::isnan(budget)) detail::throw_fmt("choose_point: the budget is NaN");
  const bool have_current = current >= 0 && size_t(current) < points.size();
  // Upgrades (to a more accurate point than the current) must fit budget·(1 − h).
  const double upgrade_budget = budget * (1 - hysteresis);
  long best = -1, cheapest = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    if (cost[i] < cost[size_t(cheapest)]) cheapest = long(i);
    double limit = budget;
    if (have_current && i != size_t(current) && points[i].accuracy > points[size_t(current)].accuracy)
      limit = upgrade_budget;
    if (cost[i] > limit) continue;
    if (best < 0 || better(points[i], cost[i], points[size_t(best)], cost[size_t(best)])) best = long(i);
  }
  // Keep the current point when it fits and nothing admissible beats it.
  if (have_current && cost[size_t(current)] <= budget && best >= 0 &&
      !(points[size_t(best)].accuracy > points[size_t(current)].accuracy))
    best = current;
  return size_t(best >= 0 ? best : cheapest);
}

double budget_for_level(const std::vector<OperatingPoint>& points, BudgetKind kind, double level) {
  const std::vector<double> cost = costs_of(points, kind);
  if (!(level >= 0 && level <= 1)) detail::throw_fmt("budget_for_level: level %g is outside [0, 1]", level);
  double lo = cost[0], hi = cost[0];
  for (double c : cost) {
    lo = std::min(lo, c);
    hi = std::max(hi, c);
  }
  return lo + level * (hi - lo);
}

PointPolicy::PointPolicy(std::vector<OperatingPoint> points, double hysteresis)
    : points_(std::move(points)), hysteresis_(hysteresis) {
  if (points_.empty()) detail::throw_fmt("PointPolicy: no operating points");
  if (!(hysteresis >= 0 && hysteresis < 1)) detail::throw_fmt("PointPolicy: hysteresis %g is outside [0, 1)", hysteresis);
}

size_t PointPolicy::choose(BudgetKind kind, double budget) {
  const size_t next = choose_point(points_, kind, budget, current_, hysteresis_);
  if (current_ >= 0 && size_t(current_) != next) ++switches_;
  current_ = long(next);
  return next;
}

}  // namespace slimrt
