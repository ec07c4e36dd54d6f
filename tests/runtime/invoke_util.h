#pragma once
// One invocation of an interpreter on a float input, returning its first output.
#include <vector>

#include "slimrt/runtime.h"

namespace slimrt::test {

inline std::vector<float> invoke_once(Interpreter& in, const std::vector<float>& x) {
  in.set_input(0, x.data(), x.size());
  in.invoke();
  std::vector<float> y(size_t(in.output(0).numel));
  in.get_output(0, y.data(), y.size());
  return y;
}

}  // namespace slimrt::test
