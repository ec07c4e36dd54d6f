#include "datasets/split.h"

#include "datasets/seeding.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace slimlab::data {

namespace {

void check_fractions(const SplitOptions& o) {
  if (o.fold >= 0) {  // cross-validation: the test part is a fold, not a fraction
    if (o.val_fraction < 0 || o.val_fraction >= 1.0)
      throw std::invalid_argument("split: val_fraction must be in [0, 1) (got " + std::to_string(o.val_fraction) + ")");
    return;
  }
  if (o.val_fraction < 0 || o.test_fraction < 0 || o.val_fraction + o.test_fraction >= 1.0)
    throw std::invalid_argument("split: val_fraction and test_fraction must be ≥ 0 and sum to less than 1 (got " +
                                std::to_string(o.val_fraction) + " + " + std::to_string(o.test_fraction) + ")");
}
// Part k of n equal contiguous parts of [0, size): [begin, end).
std::pair<size_t, size_t> part(size_t size, int k, int n) {
  return {size * size_t(k) / size_t(n), size * size_t(k + 1) / size_t(n)};
}

void check_fold(int fold, int folds, const std::string& what) {
  if (folds < 2)
    throw std::invalid_argument("split: cross-validation needs at least 2 folds (" + what + " gives " +
                                std::to_string(folds) + ")");
  if (fold >= folds)
    throw std::invalid_argument("split: fold " + std::to_string(fold) + " does not exist (" + what + " gives " +
                                std::to_string(folds) + " folds, 0 … " + std::to_string(folds - 1) + ")");
}

// Stratified k-fold: each class's shuffled items cut in `folds` parts; part `fold` is
// the test split, then val_fraction of the class's items from the rest (the items
// following the test part, wrapping around) is the validation split.
SplitIndices stratified_fold(const std::vector<int32_t>& labels, const SplitOptions& opt) {
  check_fold(opt.fold, opt.folds, "folds = " + std::to_string(opt.folds));
  SplitIndices out;
  std::map<int32_t, std::vector<size_t>> by_class;
  for (size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
  for (auto& [label, idx] : by_class) {
    seeded_shuffle(idx, opt.seed ^ (uint64_t(uint32_t(label)) * 0x9E3779B97F4A7C15ull));
    const auto [b, e] = part(idx.size(), opt.fold, opt.folds);
    const size_t nv = size_t(std::llround(opt.val_fraction * double(idx.size())));
    for (size_t k = 0; k < idx.size(); ++k) {
      const size_t after = (k + idx.size() - e) % idx.size();  // position counted from the test part's end
      if (k >= b && k < e) out.test.push_back(idx[k]);
      else if (after < nv) out.val.push_back(idx[k]);
      else out.train.push_back(idx[k]);
    }
  }
  return out;
}

}  // namespace

int fold_count(const std::vector<std::string>& groups, const SplitOptions& opt) {
  if (opt.folds > 0) return opt.folds;
  return int(std::set<std::string>(groups.begin(), groups.end()).size());
}

const char* to_string(SplitMethod m) { return m == SplitMethod::kStratified ? "stratified" : "group"; }

SplitMethod split_method_from_string(const std::string& s) {
  if (s == "stratified") return SplitMethod::kStratified;
  if (s == "group" || s == "subject" || s == "speaker") return SplitMethod::kByGroup;
  throw std::invalid_argument("unknown split method '" + s + "' (expected stratified or group)");
}

void seeded_shuffle(std::vector<size_t>& v, uint64_t seed) {
  uint64_t state = seed;
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = size_t(splitmix64_next(state) % i);
    std::swap(v[i - 1], v[j]);
  }
}

SplitIndices make_split(const std::vector<int32_t>& labels, const std::vector<std::string>& groups,
                        const SplitOptions& opt) {
  check_fractions(opt);
  SplitIndices out;
  const size_t n = labels.size();
  if (opt.method == SplitMethod::kStratified && opt.fold >= 0) {
    out = stratified_fold(labels, opt);
  } else if (opt.method == SplitMethod::kStratified) {
    std::map<int32_t, std::vector<size_t>> by_class;
    for (size_t i = 0; i < n; ++i) by_class[labels[i]].push_back(i);
    for (auto& [label, idx] : by_class) {
      seeded_shuffle(idx, opt.seed ^ (uint64_t(uint32_t(label)) * 0x9E3779B97F4A7C15ull));
      const size_t nt = size_t(std::llround(opt.test_fraction * double(idx.size())));
      const size_t nv = size_t(std::llround(opt.val_fraction * double(idx.size())));
      for (size_t k = 0; k < idx.size(); ++k) {
        if (k < nt) out.test.push_back(idx[k]);
        else if (k < nt + nv) out.val.push_back(idx[k]);
        else out.train.push_back(idx[k]);
      }
    }
  } else {
    if (groups.size() != n) throw std::invalid_argument("split by group: every item needs a group");
    std::set<std::string> names(groups.begin(), groups.end());
    if (names.count("") || names.empty())
      throw std::invalid_argument(
          "split by group: this dataset has no subject/speaker for some samples; use split = \"stratified\"");
    std::vector<std::string> all(names.begin(), names.end());
    std::set<std::string> test_set(opt.test_groups.begin(), opt.test_groups.end());
    std::set<std::string> val_set(opt.val_groups.begin(), opt.val_groups.end());
    for (const auto& g : test_set)
      if (!names.count(g)) throw std::invalid_argument("split: test group '" + g + "' is not in the dataset");
    for (const auto& g : val_set)
      if (!names.count(g)) throw std::invalid_argument("split: validation group '" + g + "' is not in the dataset");
    std::vector<size_t> order(all.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    seeded_shuffle(order, opt.seed);
    const size_t g = all.size();
    if (opt.fold >= 0) {  // cross-validation: part `fold` of the groups is the test split
      if (!test_set.empty())
        throw std::invalid_argument("split: test_groups does not apply to a cross-validation fold (the fold "
                                    "chooses the test subjects)");
      const int folds = opt.folds > 0 ? opt.folds : int(g);
      check_fold(opt.fold, folds, opt.folds > 0 ? "folds = " + std::to_string(folds)
                                                : "leave-one-out over " + std::to_string(g) + " groups");
      if (folds > int(g))
        throw std::invalid_argument("split: " + std::to_string(folds) + " folds but only " + std::to_string(g) +
                                    " groups");
      std::vector<size_t> by_name(g);
      for (size_t i = 0; i < g; ++i) by_name[i] = i;
      if (opt.folds > 0) seeded_shuffle(by_name, opt.seed);  // leave-one-out: fold k = k-th group by name
      const auto [b, e] = part(g, opt.fold, folds);
      for (size_t k = b; k < e; ++k) test_set.insert(all[by_name[k]]);
    } else if (test_set.empty()) {
      // At least one group in test (and val when asked for) whenever there are enough groups.
      size_t nt = size_t(std::llround(opt.test_fraction * double(g)));
      if (opt.test_fraction > 0 && nt == 0 && g >= 2) nt = 1;
      for (size_t k = 0; k < nt && k < g; ++k) test_set.insert(all[order[k]]);
    }
    if (val_set.empty()) {
      size_t nv = size_t(std::llround(opt.val_fraction * double(g)));
      if (opt.val_fraction > 0 && nv == 0 && g >= 3) nv = 1;
      for (size_t k = 0; k < g && nv > 0; ++k) {
        const std::string& name = all[order[g - 1 - k]];  // from the other end of the shuffle
        if (test_set.count(name)) continue;
        val_set.insert(name);
        --nv;
      }
    }
    for (const auto& v : val_set)
      if (test_set.count(v)) throw std::invalid_argument("split: group '" + v + "' is in both val and test");
    for (size_t i = 0; i < n; ++i) {
      if (test_set.count(groups[i])) out.test.push_back(i);
      else if (val_set.count(groups[i])) out.val.push_back(i);
      else out.train.push_back(i);
    }
    if (out.train.empty()) throw std::invalid_argument("split by group: no group is left for training");
  }
  std::sort(out.train.begin(), out.train.end());
  std::sort(out.val.begin(), out.val.end());
  std::sort(out.test.begin(), out.test.end());
  return out;
}

SplitIndices make_given_split(const std::vector<int32_t>& labels, const std::vector<std::string>& groups,
                              const std::vector<GivenSplit>& tags, const SplitOptions& opt) {
  if (tags.size() != labels.size()) throw std::invalid_argument("given split: every item needs a split tag");
  SplitIndices out;
  std::vector<size_t> rest;  // training items, the pool validation is drawn from when none is given
  for (size_t i = 0; i < tags.size(); ++i) {
    if (tags[i] == GivenSplit::kTest) out.test.push_back(i);
    else if (tags[i] == GivenSplit::kVal) out.val.push_back(i);
    else rest.push_back(i);
  }
  if (out.test.empty()) throw std::invalid_argument("split = \"given\": the source ships no test items");
  if (rest.empty()) throw std::invalid_argument("split = \"given\": the source ships no training items");
  if (!out.val.empty()) {
    out.train = rest;
    return out;
  }
  SplitOptions o = opt;
  o.test_fraction = 0;
  o.test_groups.clear();
  std::vector<int32_t> sub_labels;
  std::vector<std::string> sub_groups;
  for (size_t i : rest) {
    sub_labels.push_back(labels[i]);
    sub_groups.push_back(groups.empty() ? std::string() : groups[i]);
  }
  const SplitIndices inner = make_split(sub_labels, sub_groups, o);
  for (size_t k : inner.train) out.train.push_back(rest[k]);
  for (size_t k : inner.val) out.val.push_back(rest[k]);
  std::sort(out.train.begin(), out.train.end());
  std::sort(out.val.begin(), out.val.end());
  return out;
}

}  // namespace slimlab::data
