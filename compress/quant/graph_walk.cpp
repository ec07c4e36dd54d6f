#include "compress/quant/graph_walk.h"

#include <map>
#include <stdexcept>

#include "kernels/ref/ref.h"

namespace slimlab::compress::quant {

namespace k = slimrt::kernels;

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

void fail(const std::string& who, const ir::Layer& l, const std::string& what) {
  throw std::invalid_argument(who + ": layer '" + l.name + "' (" + ir::to_string(l.kind) + "): " + what);
}

const std::vector<float>& param_data(const std::string& who, const ir::Layer& l, const std::string& name) {
  const ir::Param* p = l.param(name);
  if (!p) fail(who, l, "has no parameter '" + name + "'");
  if (int64_t(p->data.size()) != p->numel())
    fail(who, l, "parameter '" + name + "' has no values (evaluate a graph taken with weights)");
  return p->data;
}

GraphWalk::GraphWalk(const ir::Graph& g) : inputs(g.layers.size()), last_use(g.layers.size(), 0) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < g.layers.size(); ++i) {
    index[g.layers[i].name] = i;
    for (const std::string& in : g.layers[i].inputs) {
      inputs[i].push_back(index.at(in));
      last_use[inputs[i].back()] = i;
    }
  }
  if (!g.layers.empty()) last_use.back() = g.layers.size();
}

namespace {
int64_t attr(const Shape& v, size_t i, int64_t fallback) { return v.empty() ? fallback : v[i]; }
}  // namespace

k::ConvShape window_shape(const ir::Layer& l, const Shape& in, bool pooling) {
  const bool one_d = in.size() == 2;
  const size_t last = one_d ? 0 : 1;
  k::ConvShape s;
  s.in_c = int(in[0]);
  s.in_h = one_d ? 1 : int(in[1]);
  s.in_w = int(in.back());
  s.out_c = int(l.out_features);
  s.kernel_h = one_d ? 1 : int(l.kernel[0]);
  s.kernel_w = int(l.kernel[last]);
  s.stride_h = one_d ? 1 : int(attr(l.stride, 0, pooling ? s.kernel_h : 1));
  s.stride_w = int(attr(l.stride, last, pooling ? s.kernel_w : 1));
  s.pad_top = s.pad_bottom = one_d ? 0 : int(attr(l.padding, 0, 0));
  s.pad_left = s.pad_right = int(attr(l.padding, last, 0));
  s.dilation_h = one_d ? 1 : int(attr(l.dilation, 0, 1));
  s.dilation_w = int(attr(l.dilation, last, 1));
  s.groups = int(l.groups);
  return s;
}

namespace {
// Product of s[from, to).
int64_t extent(const Shape& s, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t a = from; a < to; ++a) n *= s[a];
  return n;
}
}  // namespace

void move_values(const ir::Layer& l, const std::vector<const Shape*>& in, const std::vector<const void*>& x, void* y,
                 int elem_bytes) {
  const Shape& s = *in[0];
  switch (l.kind) {
    case ir::LayerKind::kTranspose: {
      k::TransposeArgs a;
      if (s.size() > 6) fail("evaluation", l, "slimrt transposes at most 6 axes");
      a.rank = int(s.size());
      for (size_t i = 0; i < s.size(); ++i) {
        a.shape[i] = s[i];
        a.perm[i] = int(l.perm[i]);
      }
      a.x = x[0];
      a.y = y;
      a.elem_bytes = elem_bytes;
      return k::ref::transpose(a);
    }
    case ir::LayerKind::kSlice:
    case ir::LayerKind::kReverse: {  // Reverse: the whole axis, backwards (SliceArgs)
      k::SliceArgs a;
      const size_t axis = size_t(l.axis);
      a.outer = extent(s, 0, axis);
      a.axis = s[axis];
      a.inner = extent(s, axis + 1, s.size());
      const bool slice = l.kind == ir::LayerKind::kSlice;
      a.begin = slice ? l.begin : 0;
      a.end = slice ? l.end : a.axis;
      a.x = x[0];
      a.y = y;
      a.elem_bytes = elem_bytes;
      return slice ? k::ref::slice(a) : k::ref::reverse(a);
    }
    case ir::LayerKind::kConcat: {
      const size_t axis = size_t(l.axis);
      std::vector<int64_t> inner;
      for (const Shape* si : in) inner.push_back(extent(*si, axis, si->size()));
      k::ConcatArgs a;
      a.outer = extent(s, 0, axis);
      a.inputs = int(in.size());
      a.x = x.data();
      a.inner = inner.data();
      a.y = y;
      a.elem_bytes = elem_bytes;
      return k::ref::concat(a);
    }
    default:
      fail("evaluation", l, "is not a data-movement layer");
  }
}

}  // namespace slimlab::compress::quant
