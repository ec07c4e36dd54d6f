// ONNX GRU and LSTM → the IR's one-layer, forward GRU / LSTM (PyTorch's conventions:
// GRU gates r, z, n with the reset gate applied after the recurrent product — ONNX's
// linear_before_reset = 1 — and LSTM gates i, f, g, o without peepholes). ONNX orders
// the gate blocks z, r, h (GRU) and i, o, f, c (LSTM); the weights are reordered here.
// Direction "reverse" is Reverse (time) → forward layer → Reverse; "bidirectional" is a
// forward layer (direction 0's weights) and that reverse construction (direction 1's),
// their sequences concatenated per step: Y [T, 2, H] per sample, as ONNX's
// [T, num_directions, batch, H] holds each sample. What the IR cannot compute exactly —
// other activations, clipping, linear_before_reset = 0 (Keras' reset_after = False),
// peepholes, a non-zero initial state, the last cell state Y_c — is an error naming the
// attribute.
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

// The number of directions (1 or 2) of the node's `direction`.
int64_t check_attributes(const Importer& im, bool lstm) {
  const std::string dir = im.attr_string("direction", "forward");
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    im.fail("direction '" + dir + "' is not valid (forward, reverse or bidirectional)");
  const int64_t directions = dir == "bidirectional" ? 2 : 1;
  if (im.attr("clip")) im.fail("cell clipping (attribute clip) is not supported");
  if (im.attr("activations")) {
    const onnx::AttributeProto* a = im.attr("activations");
    const std::vector<std::string> one = lstm ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
                                              : std::vector<std::string>{"Sigmoid", "Tanh"};
    bool same = a->strings_size() == int(one.size() * size_t(directions));
    for (int i = 0; same && i < a->strings_size(); ++i) same = a->strings(i) == one[size_t(i) % one.size()];
    if (!same) im.fail("activations other than the defaults (sigmoid gates, tanh) are not supported");
  }
  if (!lstm && im.attr_int("linear_before_reset", 0) != 1)
    im.fail("linear_before_reset = 0 (Keras' GRU reset_after = False) cannot be computed exactly by the IR's GRU, "
            "which applies the reset gate after the recurrent product (PyTorch, linear_before_reset = 1); re-export "
            "with reset_after = True");
  if (lstm && im.attr_int("input_forget", 0) != 0) im.fail("input_forget = 1 is not supported");
  if (im.input(4, /*optional=*/true)) im.fail("sequence_lens is not supported (every sequence has the full length)");
  if (lstm && im.input(7, /*optional=*/true)) im.fail("peephole weights (input P) are not supported");
  check_zero_state(im, 5, "initial_h");
  if (lstm) check_zero_state(im, 6, "initial_c");
  return directions;
}

// The node's shapes, checked: X per sample [T, F]; W [D, G·H, F], R [D, G·H, H], B [D, 2·G·H].
struct Rnn {
  bool lstm = false;
  int64_t layout = 0, directions = 1, steps = 0, features = 0, hidden = 0, gates = 3;
  std::string x;  // the IR layer holding X as [T, F]
};

Rnn check_shapes(Importer& im, bool lstm, int64_t directions) {
  Rnn s;
  s.lstm = lstm;
  s.directions = directions;
  s.gates = lstm ? 4 : 3;
  s.layout = im.attr_int("layout", 0);
  const Value& x = im.layer_input(0, /*any_batch_axis=*/true);
  // The IR's recurrent layers take [T, F] per sample: ONNX [T, batch, F] (layout 0) or [batch, T, F] (layout 1).
  if (x.shape.size() != 2 || x.batch_axis != (s.layout == 0 ? 1 : 0))
    im.fail("input X " + ir::to_string(x.full(im.batch())) + " is not a " +
            (s.layout == 0 ? "[T, batch, F]" : "[batch, T, F]") + " sequence (layout " + std::to_string(s.layout) + ")");
  s.steps = x.shape[0];
  s.features = x.shape[1];
  s.hidden = im.attr_int("hidden_size", 0);
  if (s.hidden < 1 || s.hidden > kMaxDim) im.fail("hidden_size " + std::to_string(s.hidden) + " is not valid");
  const Tensor& w = im.const_input(1);
  const Tensor& r = im.const_input(2);
  const int64_t gh = s.gates * s.hidden;
  if (w.dims != Shape{directions, gh, s.features} || r.dims != Shape{directions, gh, s.hidden})
    im.fail("W " + ir::to_string(w.dims) + " / R " + ir::to_string(r.dims) + " do not fit " + std::to_string(directions) +
            " direction(s) (direction '" + im.attr_string("direction", "forward") + "'), hidden_size " +
            std::to_string(s.hidden) + " and " + std::to_string(s.features) + " input features: expected " +
            ir::to_string(Shape{directions, gh, s.features}) + " / " + ir::to_string(Shape{directions, gh, s.hidden}));
  if (im.input(3, /*optional=*/true) && im.const_input(3).dims != Shape{directions, 2 * gh})
    im.fail("B " + ir::to_string(im.const_input(3).dims) + " does not fit " + std::to_string(directions) +
            " direction(s) and hidden_size " + std::to_string(s.hidden) + ": expected " +
            ir::to_string(Shape{directions, 2 * gh}));
  s.x = im.materialize(x);
  return s;
}

// Direction d's weights as one forward IR layer reading `input` ([T, F]).
std::string direction_layer(Importer& im, const Rnn& s, int64_t d, const std::string& input, const std::string& suffix) {
  const std::vector<int>& order = s.lstm ? kLstmFromOnnx : kGruFromOnnx;
  const int64_t gh = s.gates * s.hidden;
  auto part = [](const Tensor& t, int64_t d, int64_t n) {  // entries [d·n, (d + 1)·n)
    return std::vector<float>(t.v.begin() + d * n, t.v.begin() + (d + 1) * n);
  };
  ir::Layer l;
  l.kind = s.lstm ? ir::LayerKind::kLstm : ir::LayerKind::kGru;
  l.name = im.layer_name(suffix, /*weights=*/true);
  l.inputs = {input};
  l.in_features = s.features;
  l.out_features = s.hidden;
  std::map<std::string, std::vector<float>> data{
      {"weight_ih_l0", reorder(part(im.const_input(1), d, gh * s.features), s.hidden, s.features, order)},
      {"weight_hh_l0", reorder(part(im.const_input(2), d, gh * s.hidden), s.hidden, s.hidden, order)}};
  l.bias = im.input(3, /*optional=*/true) != nullptr;
  if (l.bias) {
    const std::vector<float> b = part(im.const_input(3), d, 2 * gh);
    data["bias_ih_l0"] = reorder({b.begin(), b.begin() + gh}, s.hidden, 1, order);
    data["bias_hh_l0"] = reorder({b.begin() + gh, b.end()}, s.hidden, 1, order);
  }
  return im.add_layer(l, data);
}

std::string reverse_layer(Importer& im, const std::string& input, const std::string& suffix) {
  ir::Layer l;
  l.kind = ir::LayerKind::kReverse;
  l.name = im.layer_name(suffix, /*weights=*/true);  // "/gru/GRU" → "gru<suffix>"
  l.inputs = {input};
  l.axis = 0;
  return im.add_layer(l);
}

// The last step [1, H] of a layer's [T, H] output: its final state.
std::string last_step(Importer& im, const Rnn& s, const std::string& layer, const std::string& suffix) {
  ir::Layer last;
  last.kind = ir::LayerKind::kSlice;
  last.name = im.layer_name(suffix);
  last.inputs = {layer};
  last.axis = 0;
  last.begin = s.steps - 1;
  last.end = s.steps;
  return im.add_layer(last);
}

std::string concat(Importer& im, std::vector<std::string> inputs, int64_t axis, const std::string& suffix) {
  ir::Layer c;
  c.kind = ir::LayerKind::kConcat;
  c.name = im.layer_name(suffix, /*weights=*/true);
  c.inputs = std::move(inputs);
  c.axis = axis;
  return im.add_layer(c);
}

void recurrent(Importer& im, bool lstm) {
  const int64_t directions = check_attributes(im, lstm);
  const Rnn s = check_shapes(im, lstm, directions);
  const auto& outs = im.node().output();
  if (lstm && outs.size() > 2 && !outs[2].empty() && im.uses(outs[2]) > 0)
    im.fail("the last cell state Y_c is not supported (only the sequence Y and the last hidden state Y_h)");
  const bool reverse = im.attr_string("direction", "forward") == "reverse";
  // A forward layer's Y is the layer itself; the others' cost layers, written only when read.
  const bool want_y = (directions == 1 && !reverse) || (!outs.empty() && !outs[0].empty() && im.uses(outs[0]) > 0);
  const bool want_h = outs.size() > 1 && !outs[1].empty() && im.uses(outs[1]) > 0;
  // Per direction: the layer run forward in its own time, and its output in the input's time order.
  std::vector<std::string> own, aligned;
  if (!reverse) {
    own.push_back(direction_layer(im, s, 0, s.x, ""));
    aligned.push_back(own.back());
  }
  if (reverse || directions == 2) {
    own.push_back(direction_layer(im, s, directions - 1, reverse_layer(im, s.x, "_reverse_in"), "_reverse"));
    aligned.push_back(want_y ? reverse_layer(im, own.back(), "_reverse_out") : "");
  }
  // Y: [T, D, batch, H] (layout 0) or [batch, T, D, H]; per sample [T, D, H] either way.
  if (want_y) {
    const std::string y = directions == 1 ? aligned[0] : concat(im, aligned, 1, "_Y");
    im.set_output(0, Value{false, {}, y, {s.steps, directions, s.hidden}, s.layout == 0 ? 2 : 0});
  }
  // Y_h: [D, batch, H] (layout 0) or [batch, D, H]: each direction's final state — the last
  // step of its own time (the reverse layer's is the input's first step).
  if (want_h) {
    std::vector<std::string> last;
    for (size_t d = 0; d < own.size(); ++d) last.push_back(last_step(im, s, own[d], d == 0 ? "_last" : "_last_reverse"));
    const std::string h = directions == 1 ? last[0] : concat(im, last, 0, "_Y_h");
    im.set_output(1, Value{false, {}, h, {directions, s.hidden}, s.layout == 0 ? 1 : 0});
  }
}

}  // namespace

void add_rnn_ops(std::map<std::string, Handler>& ops) {
  ops["GRU"] = [](Importer& im) { recurrent(im, false); };
  ops["LSTM"] = [](Importer& im) { recurrent(im, true); };
}

}  // namespace slimlab::onnx_import::detail
