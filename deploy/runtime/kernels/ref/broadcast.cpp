// Broadcasting of two-input element-wise ops (kernels.h Broadcast): the shape rule and
// the merged strides the kernels walk. Shared by slimrt's binding (ops/add.cpp) and the
// workbench's fixed-point evaluation, so both index the inputs alike.
#include <algorithm>

#include "kernels/kernels.h"

namespace slimrt::kernels {

bool broadcast_shape(const std::vector<int64_t>& a, const std::vector<int64_t>& b, std::vector<int64_t>& out) {
  const size_t r = std::max(a.size(), b.size());
  out.assign(r, 1);
  for (size_t i = 0; i < r; ++i) {  // i counts from the last axis
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1, db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) return false;
    out[r - 1 - i] = da == 1 ? db : da;
  }
  return true;
}

namespace {
// Element strides of an input of shape `in` along the axes of `out` (0 where it repeats);
// false when it does not broadcast to `out`.
bool strides_in(const std::vector<int64_t>& in, const std::vector<int64_t>& out, std::vector<int64_t>& s) {
  if (in.size() > out.size()) return false;
  s.assign(out.size(), 0);
  int64_t step = 1;
  for (size_t i = 0; i < in.size(); ++i) {
    const int64_t d = in[in.size() - 1 - i], o = out[out.size() - 1 - i];
    if (d != o && d != 1) return false;
    s[out.size() - 1 - i] = d == 1 ? 0 : step;
    step *= d;
  }
  return true;
}
}  // namespace

bool make_broadcast(const std::vector<int64_t>& x, const std::vector<int64_t>& x2, const std::vector<int64_t>& out,
                    Broadcast& bc) {
  bc = Broadcast{};
  if (x == out && x2 == out) return true;  // same shapes: rank 0
  std::vector<int64_t> s1, s2;
  if (!strides_in(x, out, s1) || !strides_in(x2, out, s2)) return false;
  // Merge axis a into the axis before it when both inputs continue their stride across
  // (s[a−1] = s[a]·n[a] for a stepping input, 0 and 0 for a repeating one); drop extent-1 axes.
  std::vector<int64_t> n, m1, m2;
  for (size_t a = 0; a < out.size(); ++a) {
    if (out[a] == 1) continue;
    if (!n.empty()) {
      const bool c1 = (s1[a] == 0) == (m1.back() == 0) && m1.back() == s1[a] * out[a];
      const bool c2 = (s2[a] == 0) == (m2.back() == 0) && m2.back() == s2[a] * out[a];
      if (c1 && c2) {
        n.back() *= out[a];
        m1.back() = s1[a];
        m2.back() = s2[a];
        continue;
      }
    }
    n.push_back(out[a]);
    m1.push_back(s1[a]);
    m2.push_back(s2[a]);
  }
  if (n.empty()) {  // one element
    n.push_back(1);
    m1.push_back(0);
    m2.push_back(0);
  }
  if (n.size() > size_t(kMaxBroadcastRank)) return false;
  bc.rank = int(n.size());
  for (size_t a = 0; a < n.size(); ++a) {
    bc.shape[a] = n[a];
    bc.sx[a] = m1[a];
    bc.sx2[a] = m2[a];
  }
  return true;
}

}  // namespace slimrt::kernels
