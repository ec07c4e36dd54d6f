#include "compress/slimmable/slimmable.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "compress/stage_keys.h"
#include "compress/surgery.h"

namespace slimlab::compress::slimmable {

std::vector<double> parse_widths(const std::vector<std::string>& text) {
  if (text.empty()) throw std::invalid_argument("widths: give at least one width");
  std::vector<double> w;
  for (const std::string& t : text) {
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (t.empty() || *end != '\0' || !(v > 0 && v <= 1))
      throw std::invalid_argument("widths: '" + t + "' is not a width in (0, 1]");
    w.push_back(v);
  }
  std::sort(w.begin(), w.end());
  for (size_t i = 1; i < w.size(); ++i)
    if (w[i] == w[i - 1]) throw std::invalid_argument("widths: " + text[i] + " is listed twice");
  return w;
}

int64_t units_at(double width, int64_t units) {
  return std::clamp<int64_t>(std::llround(width * double(units)), 1, units);
}

ir::Graph slice(const ir::Graph& g, double width) {
  std::map<std::string, std::vector<int64_t>> keep;
  for (const ir::PrunableGroup& grp : g.groups) {
    std::vector<int64_t> k(static_cast<size_t>(units_at(width, grp.units)));
    std::iota(k.begin(), k.end(), 0);
    if (int64_t(k.size()) < grp.units) keep[grp.name] = k;
  }
  return prune_units(g, keep);
}

StageDescription stage_description() {
  StageDescription d = describe_stage(
      "slimmable",
      "slimmable network: shared weights at several widths, a private BatchNorm per width — one model, a curve",
      {make_key("widths", KeyType::kStringList, "0.25,0.5,0.75,1.0",
                "widths trained together (fractions of every group's units)"),
       make_key("output_width", KeyType::kFloat, "1.0", "the width that continues as the stage's model (one of widths)",
                0, 1, /*min_open=*/true)},
      /*default_epochs=*/5);
  d.validate = [](const StageParams& p) -> std::vector<StageIssue> {
    std::vector<double> w;
    try {
      w = parse_widths(p.list("widths"));
    } catch (const std::invalid_argument& e) {
      return {{"widths", std::string(e.what()).substr(8)}};
    }
    const double o = p.number("output_width");
    if (std::find(w.begin(), w.end(), o) == w.end())
      return {{"output_width", "is not one of the widths " + p.text("widths")}};
    return {};
  };
  d.preflight = [](const StageParams&, const ir::Graph& g) -> std::vector<StageIssue> {
    if (g.groups.empty()) return {{"widths", "model '" + g.model + "' has no prunable groups to slim"}};
    return {};
  };
  return d;
}

}  // namespace slimlab::compress::slimmable
