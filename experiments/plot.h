#pragma once
// Accuracy-versus-resource plots as standalone SVG (`slimlab runs plot`, reports).
// One point per run (coloured by model, technique or experiment, with a legend
// and the run id as a hover tooltip) and the Pareto front — the best accuracy
// reachable within each resource budget — drawn as a step line.
#include <string>
#include <utility>
#include <vector>

#include "experiments/results.h"

namespace slimlab::exp {

struct PlotOptions {
  std::string x = "params";         // a numeric column of runs.h: params | bytes | macs | energy | latency | …
  std::string y = "test_accuracy";  // ditto
  bool log_x = true;                // decades on x (runs with x ≤ 0 are then left out)
  std::string title;                // "" → "<y> vs <x>"
  std::string color_by = "model";   // model | technique | experiment
  int width = 760, height = 480;
};

// A complete SVG document. Runs without both values (not finished, not
// measured) are left out and counted in a note. std::invalid_argument, listing
// the valid names, for an unknown column or color_by.
std::string accuracy_resource_svg(const std::vector<RunRecord>& runs, const PlotOptions& options = {});

// Indices of the non-dominated points (lower x and higher y are better), in
// increasing x: a point is kept when no other has x ≤ and y ≥ with one of them
// strict. Of identical points only the first is kept.
std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& points);

// Text made safe inside SVG/XML text and attribute values (& < > ").
std::string xml_escape(const std::string& s);

}  // namespace slimlab::exp
