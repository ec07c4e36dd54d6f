#pragma once
// The decisions of a slimrt stream and output 0 of every window, collected by the
// slimrt_decision_fn `collect` (the streaming tests).
#include <gtest/gtest.h>

#include <vector>

#include "slimrt/stream.h"

namespace slimrt::test {

struct Collected {
  slimrt_stream* s = nullptr;
  size_t k = 0;  // output 0's size
  std::vector<slimrt_decision> d;
  std::vector<float> outputs;  // k per decision (reserve before pushing: no allocation)
};

inline void collect(const slimrt_decision* d, void* user) {
  auto* c = static_cast<Collected*>(user);
  c->d.push_back(*d);
  const size_t at = c->outputs.size();
  c->outputs.resize(at + c->k);
  ASSERT_EQ(slimrt_stream_output(c->s, c->outputs.data() + at, c->k), SLIMRT_OK);
}

}  // namespace slimrt::test
