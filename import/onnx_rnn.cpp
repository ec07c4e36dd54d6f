// ONNX GRU and LSTM → the IR's one-layer, forward GRU / LSTM (PyTorch's conventions:
// GRU gates r, z, n with the reset gate applied after the recurrent product — ONNX's
// linear_before_reset = 1 — and LSTM gates i, f, g, o without peepholes). ONNX orders
// the gate blocks z, r, h (GRU) and i, o, f, c (LSTM); the weights are reordered here.
// What the IR cannot compute exactly — reverse / bidirectional directions, other
// activations, clipping, linear_before_reset = 0 (Keras' reset_after = False), peepholes,
// a non-zero initial state — is an error naming the attribute.
#include "import/onnx_internal.h"

namespace slimlab::onnx_import::detail {

std::vector<float> reorder(const std::vector<float>& t, int64_t hidden, int64_t cols, const std::vector<int>& order) {
  std::vector<float> out;
  out.reserve(t.size());
  const int64_t block = hidden * cols;
  for (int g : order) out.insert(out.end(), t.begin() + g * block, t.begin() + (g + 1) * block);
  return out;
}

namespace {

// Zero or absent: the only initial state the IR's recurrent layers start from.
void check_zero_state(const Importer& im, int input, const char* what) {
  const Value* v = im.input(input, /*optional=*/true);
  if (!v) return;
  if (!v->is_const) im.fail(std::string(what) + " is computed from the data; SlimLab's recurrent layers start from zero");
  for (double d : v->c.v)
    if (d != 0) im.fail(std::string(what) + " is not zero; SlimLab's recurrent layers start from a zero state");
}

void check_attributes(const Importer& im, bool lstm) {
  const std::string dir = im.attr_string("direction", "forward");
  if (dir != "forward")
    im.fail("direction '" + dir + "' is not supported: the IR's " + (lstm ? "LSTM" : "GRU") +
            " runs forward only (export with bidirectional = False, without flipping the sequence)");
  if (im.attr("clip")) im.fail("cell clipping (attribute clip) is not supported");
  if (im.attr("activations")) {
    const onnx::AttributeProto* a = im.attr("activations");
    const std::vector<std::string> want = lstm ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
                                               : std::vector<std::string>{"Sigmoid", "Tanh"};
    bool same = a->strings_size() == int(want.size());
    for (int i = 0; same && i < a->strings_size(); ++i) same = a->strings(i) == want[size_t(i)];
    if (!same) im.fail("activations other than the defaults (sigmoid gates, tanh) are not supported");
  }
  if (!lstm && im.attr_int("linear_before_reset", 0) != 1)
    im.fail("linear_before_reset = 0 (Keras' GRU reset_after = False) cannot be computed exactly by the IR's GRU, "
            "which applies the reset gate after the recurrent product (PyTorch, linear_before_reset = 1); re-export "
            "with reset_after = True");
  if (lstm && im.attr_int("input_forget", 0) != 0) im.fail("input_forget = 1 is not supported");
  if (im.input(4, /*optional=*/true)) im.fail("sequence_lens is not supported (every sequence has the full length)");
  if (lstm && im.input(7, /*optional=*/true)) im.fail("peephole weights (input P) are not supported");
}

void recurrent(Importer& im, bool lstm) {
  check_attributes(im, lstm);
  const Value& x = im.layer_input(0, /*any_batch_axis=*/true);
  const int64_t layout = im.attr_int("layout", 0);
  // The IR's recurrent layers take [T, F] per sample: ONNX [T, batch, F] (layout 0) or [batch, T, F] (layout 1).
  if (x.shape.size() != 2 || x.batch_axis != (layout == 0 ? 1 : 0))
    im.fail("input X " + ir::to_string(x.full(im.batch())) + " is not a " +
            (layout == 0 ? "[T, batch, F]" : "[batch, T, F]") + " sequence (layout " + std::to_string(layout) + ")");
  const int64_t steps = x.shape[0], features = x.shape[1], hidden = im.attr_int("hidden_size", 0);
  const int64_t gates = lstm ? 4 : 3;
  const Tensor& w = im.const_input(1);
  const Tensor& r = im.const_input(2);
  if (hidden < 1 || hidden > kMaxDim) im.fail("hidden_size " + std::to_string(hidden) + " is not valid");
  if (w.dims != Shape{1, gates * hidden, features} || r.dims != Shape{1, gates * hidden, hidden})
    im.fail("W " + ir::to_string(w.dims) + " / R " + ir::to_string(r.dims) + " do not fit hidden_size " +
            std::to_string(hidden) + " and " + std::to_string(features) + " input features");
  check_zero_state(im, 5, "initial_h");
  if (lstm) check_zero_state(im, 6, "initial_c");
  const std::vector<int>& order = lstm ? kLstmFromOnnx : kGruFromOnnx;
  ir::Layer l;
  l.kind = lstm ? ir::LayerKind::kLstm : ir::LayerKind::kGru;
  l.inputs = {im.materialize(x)};
  l.in_features = features;
  l.out_features = hidden;
  std::map<std::string, std::vector<float>> data{{"weight_ih_l0", reorder(w.floats(), hidden, features, order)},
                                                 {"weight_hh_l0", reorder(r.floats(), hidden, hidden, order)}};
  const Value* b = im.input(3, /*optional=*/true);
  l.bias = b != nullptr;
  if (b) {
    const Tensor& bt = im.const_input(3);
    if (bt.dims != Shape{1, 2 * gates * hidden}) im.fail("B " + ir::to_string(bt.dims) + " does not fit hidden_size " + std::to_string(hidden));
    const std::vector<float> all = bt.floats();
    const std::vector<float> wb(all.begin(), all.begin() + gates * hidden), rb(all.begin() + gates * hidden, all.end());
    data["bias_ih_l0"] = reorder(wb, hidden, 1, order);
    data["bias_hh_l0"] = reorder(rb, hidden, 1, order);
  }
  const std::string name = im.add_layer(l, data);
  // Y: [T, 1, batch, H] (layout 0) or [batch, T, 1, H]; per sample [T, 1, H] either way.
  im.set_output(0, Value{false, {}, name, {steps, 1, hidden}, layout == 0 ? 2 : 0});
  // Y_h: [1, batch, H] (layout 0) or [batch, 1, H]: the last step.
  const auto& outs = im.node().output();
  if (outs.size() > 1 && !outs[1].empty() && im.uses(outs[1]) > 0) {
    ir::Layer last;
    last.kind = ir::LayerKind::kSlice;
    last.name = im.layer_name("_last");
    last.inputs = {name};
    last.axis = 0;
    last.begin = steps - 1;
    last.end = steps;
    im.set_output(1, Value{false, {}, im.add_layer(last), {1, hidden}, layout == 0 ? 1 : 0});
  }
  if (lstm && outs.size() > 2 && !outs[2].empty() && im.uses(outs[2]) > 0)
    im.fail("the last cell state Y_c is not supported (only the sequence Y and the last hidden state Y_h)");
}

}  // namespace

void add_rnn_ops(std::map<std::string, Handler>& ops) {
  ops["GRU"] = [](Importer& im) { recurrent(im, false); };
  ops["LSTM"] = [](Importer& im) { recurrent(im, true); };
}

}  // namespace slimlab::onnx_import::detail
