#pragma once
// The C API's model handle, shared with the C APIs of the optional libraries
// (slimrt_frontend's streams, slimrt/stream.h).
#include <memory>
#include <string>

#include "slimrt/runtime.h"

struct slimrt_model {
  std::shared_ptr<const slimrt::Model> model;
};

namespace slimrt::detail {
// This thread's slimrt_last_error() message.
std::string& c_api_error();
}  // namespace slimrt::detail
