#pragma once
// Slimmable networks (Yu et al., 2018), torch-free half: keys and the width slices.
//
// One set of weights runs at several widths: at width w every prunable group keeps
// its first max(1, round(w · units)) units, and each width has its own BatchNorm
// parameters and statistics. Training sums the losses of all widths per batch
// (one optimiser step). The stage records every width's accuracy and size — one
// model, a whole curve — and writes each width as its own graph
// (<stage dir>/width_<w>/model.h5, units really removed) so any point of the curve
// can be exported: `slimlab export` of that file gives the slim model of width w.
// The stage's output model (what later stages and the run's model.h5 get) is the
// width `output_width`.
#include <cstdint>
#include <string>
#include <vector>

#include "compress/stage.h"
#include "train/graph_ir.h"

namespace slimlab::compress::slimmable {

StageDescription stage_description();

// The widths of a stage, ascending; std::invalid_argument "widths: …" when empty, a
// value outside (0, 1] or repeated.
std::vector<double> parse_widths(const std::vector<std::string>& text);

// Units a group of `units` keeps at width w.
int64_t units_at(double width, int64_t units);

// The graph at width w: the first units_at(w, ·) units of every group kept (surgery).
ir::Graph slice(const ir::Graph& g, double width);

}  // namespace slimlab::compress::slimmable
