#include "datasets/group_norm.h"

#include <map>
#include <stdexcept>
#include <string>

namespace slimlab::data {

namespace {

// The group name of every sample of `set` (checked: every sample has one).
std::vector<std::string> group_of_samples(const ArraySet& set, const char* split) {
  std::vector<std::string> out;
  out.reserve(set.size());
  for (size_t i = 0; i < set.size(); ++i) {
    const int32_t g = i < set.groups.size() ? set.groups[i] : -1;
    if (g < 0 || size_t(g) >= set.group_names.size())
      throw std::invalid_argument(std::string("dataset.normalize_per_group: sample ") + std::to_string(i) + " of the " +
                                  split + " split has no subject / speaker (this source carries no group ids)");
    out.push_back(set.group_names[size_t(g)]);
  }
  return out;
}

std::vector<size_t> indices_of(const std::vector<std::string>& groups, const std::string& name) {
  std::vector<size_t> out;
  for (size_t i = 0; i < groups.size(); ++i)
    if (groups[i] == name) out.push_back(i);
  return out;
}

}  // namespace

std::vector<Normalization> normalize_per_group(ArraySet& train, ArraySet& val, ArraySet& test,
                                               const Normalization& global, int axis) {
  const std::vector<std::string> gtrain = group_of_samples(train, "train"), gval = group_of_samples(val, "val"),
                                 gtest = group_of_samples(test, "test");
  // Statistics of every group, from its training samples, else from its val + test samples.
  std::map<std::string, Normalization> stats;
  for (const auto* names : {&gtrain, &gval, &gtest})
    for (const std::string& g : *names) {
      if (stats.count(g)) continue;
      std::vector<size_t> in_train = indices_of(gtrain, g);
      if (!in_train.empty()) {
        stats[g] = Normalization::fit(train.subset(in_train), axis);
      } else {
        ArraySet own = val.subset(indices_of(gval, g));
        own.append(test.subset(indices_of(gtest, g)), GivenSplit::kNone);
        stats[g] = Normalization::fit(own, axis);
      }
    }
  auto apply = [&stats](ArraySet& set, const std::vector<std::string>& names) {
    for (size_t i = 0; i < set.size(); ++i) stats.at(names[i]).apply_sample(set.sample(i), set.sample_shape);
  };
  apply(train, gtrain);
  apply(val, gval);
  apply(test, gtest);
  // Composed with the global normalisation: ((x − M)/S − m)/s = (x − (M + S·m)) / (S·s).
  std::vector<Normalization> out;
  for (const std::string& g : train.group_names) {
    auto it = stats.find(g);
    Normalization n = it == stats.end() ? Normalization{} : it->second;
    if (!n.empty() && !global.empty())
      for (size_t a = 0; a < n.mean.size(); ++a) {
        n.mean[a] = global.mean[a] + global.stddev[a] * n.mean[a];
        n.stddev[a] = global.stddev[a] * n.stddev[a];
      }
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace slimlab::data
