#include <gtest/gtest.h>

#include <set>

#include "datasets/split.h"

using namespace slimlab::data;

namespace {
// 10 subjects × 3 classes × 4 items.
void make_items(std::vector<int32_t>& labels, std::vector<std::string>& groups) {
  for (int s = 0; s < 10; ++s)
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 4; ++k) {
        labels.push_back(c);
        groups.push_back("s" + std::to_string(s));
      }
}
}  // namespace

TEST(Split, ByGroupKeepsEverySubjectInOneSplit) {
  std::vector<int32_t> labels;
  std::vector<std::string> groups;
  make_items(labels, groups);
  SplitOptions o;
  o.method = SplitMethod::kByGroup;
  o.val_fraction = 0.1;
  o.test_fraction = 0.2;
  const auto s = make_split(labels, groups, o);
  EXPECT_EQ(s.train.size() + s.val.size() + s.test.size(), labels.size());
  std::set<std::string> tr, va, te;
  for (size_t i : s.train) tr.insert(groups[i]);
  for (size_t i : s.val) va.insert(groups[i]);
  for (size_t i : s.test) te.insert(groups[i]);
  EXPECT_EQ(te.size(), 2u);
  EXPECT_EQ(va.size(), 1u);
  EXPECT_EQ(tr.size(), 7u);
  for (const auto& g : te) {
    EXPECT_FALSE(tr.count(g));
    EXPECT_FALSE(va.count(g));
  }
  for (const auto& g : va) EXPECT_FALSE(tr.count(g));
}

TEST(Split, SeededAndReproducible) {
  std::vector<int32_t> labels;
  std::vector<std::string> groups;
  make_items(labels, groups);
  SplitOptions o;
  const auto a = make_split(labels, groups, o);
  const auto b = make_split(labels, groups, o);
  EXPECT_EQ(a.test, b.test);
  o.seed = 43;
  bool any_different = false;
  for (uint64_t seed = 43; seed < 53 && !any_different; ++seed) {
    o.seed = seed;
    any_different = make_split(labels, groups, o).test != a.test;
  }
  EXPECT_TRUE(any_different);
}

TEST(Split, StratifiedKeepsClassProportions) {
  std::vector<int32_t> labels;
  for (int i = 0; i < 100; ++i) labels.push_back(0);
  for (int i = 0; i < 50; ++i) labels.push_back(1);
  SplitOptions o;
  o.method = SplitMethod::kStratified;
  o.val_fraction = 0.0;
  o.test_fraction = 0.2;
  const auto s = make_split(labels, {}, o);
  int t0 = 0, t1 = 0;
  for (size_t i : s.test) (labels[i] == 0 ? t0 : t1)++;
  EXPECT_EQ(t0, 20);
  EXPECT_EQ(t1, 10);
  EXPECT_EQ(s.train.size(), 120u);
  EXPECT_TRUE(s.val.empty());
}

TEST(Split, ExplicitTestGroups) {
  std::vector<int32_t> labels;
  std::vector<std::string> groups;
  make_items(labels, groups);
  SplitOptions o;
  o.test_groups = {"s3", "s7"};
  o.val_fraction = 0;
  const auto s = make_split(labels, groups, o);
  for (size_t i : s.test) EXPECT_TRUE(groups[i] == "s3" || groups[i] == "s7");
  EXPECT_EQ(s.test.size(), 24u);
  o.test_groups = {"nobody"};
  try {
    make_split(labels, groups, o);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("nobody"), std::string::npos);
  }
}

TEST(Split, ByGroupWithoutGroupsSaysSo) {
  std::vector<int32_t> labels{0, 1, 0, 1};
  std::vector<std::string> groups{"", "", "", ""};
  try {
    make_split(labels, groups, SplitOptions{});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("stratified"), std::string::npos);
  }
}

TEST(Split, RejectsImpossibleFractions) {
  SplitOptions o;
  o.val_fraction = 0.5;
  o.test_fraction = 0.5;
  EXPECT_THROW(make_split({0, 1}, {"a", "b"}, o), std::invalid_argument);
}
