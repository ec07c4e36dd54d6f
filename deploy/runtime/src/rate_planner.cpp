// The energy-rate planner (slimrt/runtime.h RatePlanner; docs/ADAPTIVE.md).
#include <algorithm>
#include <cmath>

#include "slimrt/runtime.h"
#include "verifier.h"

namespace slimrt {

namespace {
// Indices of the upper concave hull of (energy, accuracy), by energy ascending: the
// cheapest point, then each point that the segment from the previous hull point to any
// later point does not pass above. Dominated points (dearer and not more accurate)
// never enter. Without accuracies: every point, by energy.
std::vector<size_t> upper_hull(const std::vector<OperatingPoint>& p) {
  std::vector<size_t> order(p.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return p[a].energy_uj < p[b].energy_uj || (p[a].energy_uj == p[b].energy_uj && p[a].accuracy > p[b].accuracy);
  });
  const bool known = std::all_of(p.begin(), p.end(), [](const OperatingPoint& q) { return q.accuracy >= 0; });
  if (!known) return order;
  std::vector<size_t> h;
  for (size_t i : order) {
    if (!h.empty() && p[i].accuracy <= p[h.back()].accuracy) continue;  // dearer, not better
    // Pop while the last hull point lies on or below the chord from its predecessor to i.
    while (h.size() >= 2) {
      const OperatingPoint &a = p[h[h.size() - 2]], &b = p[h.back()], &c = p[i];
      const double cross = (b.energy_uj - a.energy_uj) * (c.accuracy - a.accuracy) -
                           (b.accuracy - a.accuracy) * (c.energy_uj - a.energy_uj);
      if (cross < 0) break;  // b above the chord a–c: keep it
      h.pop_back();
    }
    h.push_back(i);
  }
  return h;
}
}  // namespace

RatePlanner::RatePlanner(std::vector<OperatingPoint> points) : points_(std::move(points)) {
  if (points_.empty()) detail::throw_fmt("RatePlanner: no operating points");
  for (const auto& q : points_)
    if (!(q.energy_uj >= 0))
      detail::throw_fmt("RatePlanner: operating point '%s' has no energy estimate in the file", q.name.c_str());
  hull_ = upper_hull(points_);
}

void RatePlanner::set_rate(double energy_uj) {
  if (!(energy_uj >= 0) || !std::isfinite(energy_uj))
    detail::throw_fmt("RatePlanner: rate %g µJ / inference is not a finite non-negative number", energy_uj);
  rate_ = energy_uj;
}

size_t RatePlanner::next() {
  const OperatingPoint& cheapest = points_[hull_.front()];
  size_t pick = hull_.front();
  if (rate_ >= points_[hull_.back()].energy_uj) {
    pick = hull_.back();
  } else if (rate_ > cheapest.energy_uj) {
    size_t k = 0;  // hull_[k] ≤ rate < hull_[k + 1]
    while (k + 1 < hull_.size() && points_[hull_[k + 1]].energy_uj <= rate_) ++k;
    const size_t lo = hull_[k], hi = hull_[k + 1];
    credit_ += rate_;
    pick = credit_ >= points_[hi].energy_uj ? hi : lo;
    credit_ -= points_[pick].energy_uj;
    // A rate that changed mid-way must not leave a debt or a hoard behind.
    credit_ = std::clamp(credit_, -points_[hi].energy_uj, points_[hi].energy_uj);
  }
  if (current_ >= 0 && size_t(current_) != pick) ++switches_;
  current_ = long(pick);
  return pick;
}

}  // namespace slimrt
