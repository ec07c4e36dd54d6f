// Static arena planning (as TFLite Micro's greedy planner): buffers are placed
// largest first, each at the lowest offset where it overlaps no already placed
// buffer whose lifetime intersects its own. The lower bound is the largest sum
// of sizes alive at one step — no placement can use less.
#include <algorithm>
#include <numeric>

#include "slimrt/runtime.h"

namespace slimrt {

ArenaPlan plan_arena(const std::vector<size_t>& sizes, const std::vector<std::pair<int, int>>& lifetimes,
                     size_t alignment) {
  if (sizes.size() != lifetimes.size()) throw Error("plan_arena: sizes and lifetimes differ in length");
  if (alignment == 0) alignment = 1;
  const size_t n = sizes.size();
  auto aligned = [&](size_t s) { return (s + alignment - 1) / alignment * alignment; };
  ArenaPlan plan;
  plan.offsets.assign(n, 0);

  int first = 0, last = -1;
  for (size_t i = 0; i < n; ++i) {
    if (sizes[i] == 0) continue;
    if (lifetimes[i].first > lifetimes[i].second) throw Error("plan_arena: a lifetime ends before it starts");
    first = last < first ? lifetimes[i].first : std::min(first, lifetimes[i].first);
    last = std::max(last, lifetimes[i].second);
  }
  for (int step = first; step <= last; ++step) {
    size_t live = 0;
    for (size_t i = 0; i < n; ++i)
      if (sizes[i] && lifetimes[i].first <= step && step <= lifetimes[i].second) live += aligned(sizes[i]);
    plan.lower_bound = std::max(plan.lower_bound, live);
  }

  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t(0));
  // Largest first; ties: longer lifetime first, then index (deterministic; a total
  // order, so std::sort places as a stable sort would, without its merge code).
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (sizes[a] != sizes[b]) return sizes[a] > sizes[b];
    const int la = lifetimes[a].second - lifetimes[a].first, lb = lifetimes[b].second - lifetimes[b].first;
    return la != lb ? la > lb : a < b;
  });
  std::vector<size_t> placed;
  std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of conflicting placed buffers
  for (size_t i : order) {
    if (sizes[i] == 0) continue;
    const size_t need = aligned(sizes[i]);
    busy.clear();
    for (size_t j : placed)
      if (lifetimes[j].first <= lifetimes[i].second && lifetimes[i].first <= lifetimes[j].second)
        busy.emplace_back(plan.offsets[j], plan.offsets[j] + aligned(sizes[j]));
    std::sort(busy.begin(), busy.end());
    // Best fit: the smallest gap that holds it, else after the last conflict.
    size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
    for (const auto& b : busy) {
      if (b.first > cursor && b.first - cursor >= need && b.first - cursor < best_gap) {
        best = cursor;
        best_gap = b.first - cursor;
      }
      cursor = std::max(cursor, b.second);
    }
    if (best == SIZE_MAX) best = cursor;
    plan.offsets[i] = best;
    plan.arena_bytes = std::max(plan.arena_bytes, best + need);
    placed.push_back(i);
  }
  return plan;
}

}  // namespace slimrt
