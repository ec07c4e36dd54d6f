// GRU / LSTM on OpenCL: one work-group per sequence (fixed point needs cl_khr_fp64).
#include "glue.h"

namespace slimrt::opencl {
namespace {

template <class T>
std::string why_rnn(const k::RnnArgs<T>&) {
  return needs_fp64<T>("GRU/LSTM gates evaluate sigmoid/tanh");
}
template <class T, bool Lstm>
void build_rnn(const k::RnnArgs<T>& a, NodeState& st) {
  const int G = Lstm ? 4 : 3, H = a.hidden, F = a.input;
  cl_mem x = st.input(size_t(a.batch) * a.steps * F * sizeof(T));
  cl_mem wih = st.constant(size_t(G) * H * F * sizeof(T), a.w_ih);
  cl_mem whh = st.constant(size_t(G) * H * H * sizeof(T), a.w_hh);
  cl_mem bih = a.b_ih ? st.constant(size_t(G) * H * 4, a.b_ih) : st.dummy();
  cl_mem bhh = a.b_hh ? st.constant(size_t(G) * H * 4, a.b_hh) : st.dummy();
  cl_mem h0 = a.h0 ? st.constant(size_t(a.batch) * H * sizeof(T), a.h0) : st.dummy();
  cl_mem c0 = a.c0 ? st.constant(size_t(a.batch) * H * sizeof(T), a.c0) : st.dummy();
  cl_mem y = st.output(size_t(a.batch) * a.steps * H * sizeof(T));
  cl_mem cs = st.scratch(size_t(a.batch) * H * 4);
  const std::string name = kname(Lstm ? "lstm" : "gru", suffix<T>());
  Launch& l = st.launch(name.c_str());
  const auto& q = a.q;
  set_args(l.kernel, x, wih, whh, bih, bhh, h0, c0, y, cs, a.steps, F, H, a.b_ih ? 1 : 0, a.b_hh ? 1 : 0, a.h0 ? 1 : 0,
           a.c0 ? 1 : 0, q.fl_x, q.fl_w_ih, q.fl_w_hh, q.fl_h, q.wl_h, q.fl_c, q.wl_c, q.fl_gate, q.wl_gate, q.fl_pre,
           q.wl_pre);
  // One work-group per sequence; its size covers the hidden units (or loops over them).
  size_t local = 1;
  const size_t mx = std::min<size_t>(st.dev->max_local_size(l.kernel), 256);
  while (local < size_t(H) && local * 2 <= mx) local *= 2;
  l.dims = 1;
  l.has_local = true;
  l.local[0] = local;
  l.global[0] = local * size_t(a.batch);
}
template <class T> void build_gru(const k::RnnArgs<T>& a, NodeState& st) { build_rnn<T, false>(a, st); }
template <class T> void build_lstm(const k::RnnArgs<T>& a, NodeState& st) { build_rnn<T, true>(a, st); }


template <class T>
void add_typed(std::vector<Entry>& t) {
  constexpr Precision P = k::detail::Elem<T>::kPrecision;
  add<k::RnnArgs<T>, build_gru<T>, io_xy<k::RnnArgs<T>>, why_rnn<T>>(t, Op::kGru, P);
  add<k::RnnArgs<T>, build_lstm<T>, io_xy<k::RnnArgs<T>>, why_rnn<T>>(t, Op::kLstm, P);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(rnn) { SLIMRT_OPENCL_ADD_TYPED(t); }

}  // namespace slimrt::opencl
