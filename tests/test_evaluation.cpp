// [evaluation] protocols: k-fold and leave-one-subject-out splits (every item in
// exactly one test fold, no subject in two splits), the expansion of a point into
// folds × seeds, the config checks, mean ± std with Student's t interval, and the
// paired t-test of `slimlab compare`.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "datasets/pipeline.h"
#include "datasets/split.h"
#include "experiments/summary.h"
#include "experiments/sweep.h"

using namespace slimlab;

namespace {

struct Items {
  std::vector<int32_t> labels;
  std::vector<std::string> groups;
};

// 6 subjects × 3 classes × 5 items.
Items subjects() {
  Items it;
  for (int s = 0; s < 6; ++s)
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 5; ++k) {
        it.labels.push_back(c);
        it.groups.push_back("subject" + std::to_string(s));
      }
  return it;
}

std::set<std::string> groups_of(const Items& it, const std::vector<size_t>& idx) {
  std::set<std::string> g;
  for (size_t i : idx) g.insert(it.groups[i]);
  return g;
}

// A small experiment; `dataset` adds keys to its [dataset] table, `extra` more tables.
exp::Experiment parse(const std::string& extra, const std::string& dataset = "") {
  return exp::parse_experiment(
      "[dataset]\nsource = \"synthetic:har\"\n" + dataset + "[model]\nname = \"cnn1d\"\n" + extra, "e.toml");
}

}  // namespace

TEST(EvaluationSplit, LeaveOneSubjectOutHoldsOutEachSubjectOnce) {
  const Items it = subjects();
  data::SplitOptions o;
  o.method = data::SplitMethod::kByGroup;
  o.val_fraction = 0.2;
  EXPECT_EQ(data::fold_count(it.groups, o), 6);
  std::vector<int> tested(it.labels.size(), 0);
  for (int f = 0; f < 6; ++f) {
    o.fold = f;
    const auto s = data::make_split(it.labels, it.groups, o);
    const auto test = groups_of(it, s.test);
    ASSERT_EQ(test, std::set<std::string>{"subject" + std::to_string(f)}) << "fold " << f << ": k-th subject by name";
    const auto val = groups_of(it, s.val), train = groups_of(it, s.train);
    EXPECT_EQ(val.size(), 1u);
    for (const auto& g : val) EXPECT_FALSE(test.count(g) || train.count(g)) << g;
    for (const auto& g : train) EXPECT_FALSE(test.count(g)) << g;
    EXPECT_EQ(s.train.size() + s.val.size() + s.test.size(), it.labels.size());
    for (size_t i : s.test) ++tested[i];
  }
  for (int n : tested) EXPECT_EQ(n, 1);
  o.fold = 6;
  EXPECT_THROW(data::make_split(it.labels, it.groups, o), std::invalid_argument);
  o.fold = 0;
  o.test_groups = {"subject1"};
  EXPECT_THROW(data::make_split(it.labels, it.groups, o), std::invalid_argument);
}

TEST(EvaluationSplit, GroupKFoldPartitionsTheSubjects) {
  const Items it = subjects();
  data::SplitOptions o;
  o.method = data::SplitMethod::kByGroup;
  o.folds = 3;
  std::map<std::string, int> folds_of_group;
  for (int f = 0; f < 3; ++f) {
    o.fold = f;
    const auto test = groups_of(it, data::make_split(it.labels, it.groups, o).test);
    EXPECT_EQ(test.size(), 2u);
    for (const auto& g : test) ++folds_of_group[g];
  }
  EXPECT_EQ(folds_of_group.size(), 6u);
  for (const auto& [g, n] : folds_of_group) EXPECT_EQ(n, 1) << g;
  o.folds = 7;
  o.fold = 0;
  EXPECT_THROW(data::make_split(it.labels, it.groups, o), std::invalid_argument);  // more folds than subjects
}

TEST(EvaluationSplit, StratifiedKFoldKeepsClassProportions) {
  const Items it = subjects();  // 30 items per class
  data::SplitOptions o;
  o.method = data::SplitMethod::kStratified;
  o.folds = 5;
  o.val_fraction = 0.1;
  std::vector<int> tested(it.labels.size(), 0);
  for (int f = 0; f < 5; ++f) {
    o.fold = f;
    const auto s = data::make_split(it.labels, it.groups, o);
    std::map<int, int> per_class;
    for (size_t i : s.test) ++per_class[it.labels[i]];
    for (const auto& [c, n] : per_class) EXPECT_EQ(n, 6) << "class " << c;
    EXPECT_EQ(s.val.size(), 9u);  // 3 per class
    std::set<size_t> seen(s.train.begin(), s.train.end());
    for (size_t i : s.val) EXPECT_TRUE(seen.insert(i).second);
    for (size_t i : s.test) EXPECT_TRUE(seen.insert(i).second);
    EXPECT_EQ(seen.size(), it.labels.size());
    for (size_t i : s.test) ++tested[i];
  }
  for (int n : tested) EXPECT_EQ(n, 1);
}

TEST(EvaluationProtocol, PointsBecomeFoldsTimesSeeds) {
  const exp::Experiment e = parse("[train]\nseed = 7\n[evaluation]\nprotocol = \"kfold\"\nfolds = 3\nrepeats = 2\n");
  EXPECT_EQ(exp::protocol_folds(e), 3);
  const auto points = exp::expand_protocol(exp::expand_sweep(e), exp::protocol_folds(e));
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0].id, "p00-f00-s0");
  EXPECT_EQ(points[5].id, "p00-f02-s1");
  EXPECT_EQ(points[5].experiment.dataset.split_options.fold, 2);
  EXPECT_EQ(points[5].experiment.dataset.split_options.folds, 3);
  EXPECT_EQ(points[5].experiment.train.seed, 8u);
  EXPECT_EQ(points[4].experiment.train.seed, 7u);
  const auto tag = exp::parse_protocol_tag(points[5].id);
  EXPECT_TRUE(tag.tagged);
  EXPECT_EQ(tag.stem, "p00");
  EXPECT_EQ(tag.fold, 2);
  EXPECT_EQ(tag.seed_index, 1);
  // Holdout with repeats: seeds only; one repeat: the point as it is.
  const exp::Experiment r = parse("[evaluation]\nrepeats = 3\n");
  const auto seeds = exp::expand_protocol(exp::expand_sweep(r), exp::protocol_folds(r));
  ASSERT_EQ(seeds.size(), 3u);
  EXPECT_EQ(seeds[2].id, "p00-s2");
  EXPECT_EQ(exp::parse_protocol_tag("p01-model.width=0.5").tagged, false);
  EXPECT_EQ(exp::expand_protocol(exp::expand_sweep(parse("")), 0).size(), 1u);
}

TEST(EvaluationProtocol, LosoCountsTheSubjectsInTheData) {
  // synthetic:har has 10 subjects.
  const exp::Experiment l = exp::parse_experiment(
      "[dataset]\nsource = \"synthetic:har\"\nsynthetic_scale = 0.1\n[model]\nname = \"cnn1d\"\n"
      "[evaluation]\nprotocol = \"loso\"\n",
      "e.toml");
  const int folds = exp::protocol_folds(l);
  EXPECT_EQ(folds, 10);
  const auto points = exp::expand_protocol(exp::expand_sweep(l), folds);
  ASSERT_EQ(points.size(), 10u);
  EXPECT_EQ(points[9].experiment.dataset.split_options.folds, 0);  // one subject per fold
  // The prepared data of fold 3 tests on exactly one subject.
  const data::PreparedData d = data::prepare(points[3].experiment.dataset);
  std::set<int32_t> test_groups(d.test.groups.begin(), d.test.groups.end());
  EXPECT_EQ(test_groups.size(), 1u);
}

TEST(EvaluationProtocol, ConfigChecksNameTheKey) {
  auto error_of = [](const std::string& text, const std::string& dataset = "") -> std::string {
    try {
      parse(text, dataset);
    } catch (const exp::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of("[evaluation]\nprotocol = \"kfold\"\n", "split = \"given\"\n").find("dataset.split"),
            std::string::npos);
  EXPECT_NE(error_of("[evaluation]\nprotocol = \"loso\"\n", "split = \"stratified\"\n")
                .find("evaluation.protocol"),
            std::string::npos);
  EXPECT_NE(error_of("[evaluation]\nprotocol = \"bootstrap\"\n").find("evaluation.protocol"), std::string::npos);
  EXPECT_NE(error_of("[evaluation]\nrepeats = 0\n").find("evaluation.repeats"), std::string::npos);
  EXPECT_NE(error_of("[evaluation]\nfolds = 3\nfold = 3\n").find("evaluation.fold"), std::string::npos);
}

TEST(Summary, StudentTAgainstTables) {
  // t(0.975) for 1, 4, 9, 29 degrees of freedom (standard tables).
  EXPECT_NEAR(exp::t_quantile(0.975, 1), 12.706, 1e-3);
  EXPECT_NEAR(exp::t_quantile(0.975, 4), 2.776, 1e-3);
  EXPECT_NEAR(exp::t_quantile(0.975, 9), 2.262, 1e-3);
  EXPECT_NEAR(exp::t_quantile(0.975, 29), 2.045, 1e-3);
  EXPECT_NEAR(exp::t_quantile(0.025, 9), -2.262, 1e-3);
  EXPECT_NEAR(exp::t_two_sided_p(2.262, 9), 0.05, 1e-3);
  EXPECT_NEAR(exp::t_two_sided_p(0, 5), 1.0, 1e-12);
  const exp::Spread s = exp::spread({0.90, 0.92, 0.94});
  EXPECT_NEAR(s.mean, 0.92, 1e-12);
  EXPECT_NEAR(s.std, 0.02, 1e-12);
  EXPECT_NEAR(s.ci_high - s.mean, 4.303 * 0.02 / std::sqrt(3.0), 1e-4);  // t(0.975, 2) = 4.303
  EXPECT_EQ(exp::spread({0.5}).n, 1);
}

TEST(Summary, GroupsAndPairedTest) {
  std::vector<exp::RunRecord> runs;
  auto add = [&](const std::string& experiment, const std::string& id, double acc) {
    exp::RunRecord r;
    r.experiment = experiment;
    r.run_id = id;
    r.status = "finished";
    r.result.test.accuracy = acc;
    r.result.test.num_classes = 3;
    runs.push_back(r);
  };
  const double a[] = {0.80, 0.82, 0.85, 0.79}, d[] = {0.02, 0.03, 0.01, 0.025};
  for (int f = 0; f < 4; ++f) {
    add("base", "p00-f0" + std::to_string(f) + "-s0", a[f]);
    add("aug", "p00-f0" + std::to_string(f) + "-s0", a[f] + d[f]);
  }
  add("aug", "p00-f09-s0", 0.9);  // no partner
  add("plain", "p00", 0.5);
  const auto groups = exp::group_runs(runs);
  ASSERT_EQ(groups.size(), 3u);
  const exp::RunGroup& base = exp::find_group(groups, "base/p00");
  EXPECT_EQ(base.folds, 4);
  EXPECT_EQ(base.seeds, 1);
  EXPECT_EQ(exp::find_group(groups, "plain").runs.size(), 1u);
  EXPECT_THROW(exp::find_group(groups, "nothing"), std::invalid_argument);
  const exp::PairedTest t = exp::paired_test(base, exp::find_group(groups, "aug"), "test_accuracy");
  EXPECT_EQ(t.n, 4);
  ASSERT_EQ(t.unmatched.size(), 1u);
  EXPECT_NEAR(t.diff.mean, 0.02125, 1e-12);
  // d = 0.02, 0.03, 0.01, 0.025: std 0.008539, t = 0.02125 / (0.008539 / 2) = 4.977, df 3.
  EXPECT_NEAR(t.t, 4.977, 1e-2);
  EXPECT_NEAR(t.p_value, 0.0156, 1e-3);
  const std::string table = exp::summary_table(groups, {"test_accuracy"});
  EXPECT_NE(table.find("4/4 (4 folds × 1 seeds)"), std::string::npos) << table;
  EXPECT_NE(table.find("81.50 ± 2.65"), std::string::npos) << table;
}
