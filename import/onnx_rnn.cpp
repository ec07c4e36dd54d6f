// GRU and LSTM (filled in below).
#include "import/onnx_internal.h"

namespace slimlab::onnx_import::detail {

void add_rnn_ops(std::map<std::string, Handler>&) {}

}  // namespace slimlab::onnx_import::detail
