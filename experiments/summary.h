#pragma once
// Results as papers report them: the runs of one sweep point over folds and seeds
// ([evaluation], experiments/sweep.h) summarised as mean ± std with a 95 %
// confidence interval, and two points compared by a paired t-test over the folds /
// seeds they share. Used by `slimlab runs summary` and `slimlab compare`.
#include <string>
#include <vector>

#include "experiments/results.h"

namespace slimlab::exp {

// n values → mean, sample standard deviation (n − 1) and the 95 % interval of the
// mean, mean ± t(0.975, n − 1) · std / √n (Student's t; none for n < 2).
struct Spread {
  int n = 0;
  double mean = 0, std = 0, ci_low = 0, ci_high = 0;
};
Spread spread(const std::vector<double>& values);

// The runs of one sweep point: same experiment, same run id once the protocol tag
// ("-f03-s1", "-s2") is removed. Untagged runs form a group of their own.
struct RunGroup {
  std::string experiment, stem;
  std::vector<const RunRecord*> runs;  // in run-id order
  int folds = 0, seeds = 0;            // distinct folds / seed indices among them
};
std::vector<RunGroup> group_runs(const std::vector<RunRecord>& runs);

// One line per group: experiment, point, runs (folds × seeds, finished of all),
// then each metric as "mean ± std [low, high]" (numeric_columns() names; accuracies
// and F1 in %).
std::string summary_table(const std::vector<RunGroup>& groups, const std::vector<std::string>& metrics);

// Student's t: the two-sided p-value of t with df degrees of freedom, and the
// quantile q with P(T ≤ q) = p.
double t_two_sided_p(double t, double df);
double t_quantile(double p, double df);

// A paired comparison of B − A over the runs both have (same fold and seed index).
struct PairedTest {
  int n = 0;                  // pairs
  Spread a, b, diff;          // per side and of the differences
  double t = 0, p_value = 1;  // paired t-test, two-sided (p = 1 when n < 2 or no spread)
  std::vector<std::string> unmatched;  // run ids without a partner
};
PairedTest paired_test(const RunGroup& a, const RunGroup& b, const std::string& metric);
std::string format_paired_test(const RunGroup& a, const RunGroup& b, const std::string& metric,
                               const PairedTest& t);

// "experiment/point" or "experiment" (when it has one point) → the group;
// std::invalid_argument naming the candidates when it matches none or several.
const RunGroup& find_group(const std::vector<RunGroup>& groups, const std::string& name);

}  // namespace slimlab::exp
