// The front-end ops join slimrt's op table (slimrt_frontend_register), and the helpers
// their rules share.
#include <mutex>

#include "fe_ops.h"
#include "slimrt/stream.h"

namespace slimrt::ops::fe {

const FrontEndParams& params(Check& c) {
  if (!c.op.frontend.present) c.fail("has no front-end parameters (Op.frontend)");
  return c.op.frontend;
}

void check_stream(Check& c, int64_t window) {
  const FrontEndParams& p = c.op.frontend;
  if (p.stream_hop < 0 || p.stream_hop > window)
    c.fail("stream_hop %lld is outside 0 .. the window (%lld frames)", (long long)p.stream_hop, (long long)window);
  if (p.smooth_window < 0 || p.smooth_window > kMaxSmoothWindow)
    c.fail("smooth_window %d is outside 0 .. %d", p.smooth_window, kMaxSmoothWindow);
  if (p.smooth_mode != int(fb::SmoothMode::Vote) && p.smooth_mode != int(fb::SmoothMode::Mean))
    c.fail("smooth_mode %d is not Vote (0) or Mean (1)", p.smooth_mode);
}

StreamTap*& bind_tap() {
  thread_local StreamTap* tap = nullptr;
  return tap;
}

namespace {
void fill(OpTable& t) {
  register_audio(t);
  register_signal(t);
}
}  // namespace

void register_all() {
  static std::once_flag once;
  std::call_once(once, [] { register_ops(&fill); });
}

}  // namespace slimrt::ops::fe

extern "C" void slimrt_frontend_register(void) { slimrt::ops::fe::register_all(); }
