// Sweep expansion: grid order and counts, explicit points, ids, and validation of
// every point before anything runs.
#include <gtest/gtest.h>

#include "experiments/sweep.h"

using namespace slimlab::exp;

namespace {

const std::string kBase =
    "[dataset]\n"
    "source = \"synthetic:har\"\n"
    "[model]\n"
    "name = \"cnn1d\"\n"
    "[train]\n"
    "epochs = 5\n";

ConfigError expect_error(const std::string& text) {
  try {
    parse_experiment(text, "s.toml");
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return ConfigError({});
}

}  // namespace

TEST(Sweep, NoSweepIsOnePoint) {
  const Experiment e = parse_experiment(kBase, "s.toml");
  const auto points = expand_sweep(e);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].id, "p00");
  EXPECT_TRUE(points[0].overrides.empty());
  EXPECT_EQ(points[0].experiment.toml_text, e.toml_text);
}

TEST(Sweep, GridIsTheCartesianProductFirstKeySlowest) {
  const Experiment e = parse_experiment(
      kBase + "[sweep]\ngrid = { \"model.width\" = [0.25, 0.5, 1.0], \"train.lr\" = [1e-3, 3e-3] }\n", "s.toml");
  ASSERT_EQ(e.sweep.grid.size(), 2u);
  const auto points = expand_sweep(e);
  ASSERT_EQ(points.size(), 6u);
  const double widths[] = {0.25, 0.25, 0.5, 0.5, 1.0, 1.0};
  const double lrs[] = {1e-3, 3e-3, 1e-3, 3e-3, 1e-3, 3e-3};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_DOUBLE_EQ(points[i].experiment.model.width, widths[i]) << i;
    EXPECT_DOUBLE_EQ(points[i].experiment.train.lr, lrs[i]) << i;
    EXPECT_EQ(points[i].experiment.train.epochs, 5);
    EXPECT_TRUE(points[i].experiment.sweep.empty());
    EXPECT_EQ(points[i].experiment.toml_text.find("[sweep]"), std::string::npos);
    EXPECT_EQ(points[i].overrides.size(), 2u);
  }
  EXPECT_EQ(points[0].id, "p00-model.width=0.25-train.lr=0.001");
  EXPECT_EQ(points[3].id, "p03-model.width=0.5-train.lr=0.003");
  EXPECT_EQ(points[3].overrides, (std::vector<std::string>{"model.width=0.5", "train.lr=0.003"}));
  EXPECT_EQ(points[3].experiment.lines.at("model.width"), 8);  // the [sweep] line gave the value
  // A point's toml_text is that point's resolved configuration.
  const Experiment back = parse_experiment(points[3].experiment.toml_text, "s.toml");
  EXPECT_DOUBLE_EQ(back.model.width, 0.5);
  EXPECT_DOUBLE_EQ(back.train.lr, 0.003);
}

TEST(Sweep, GridKeepsTheWrittenKeyOrder) {
  // toml++ stores keys sorted; the sweep must follow the file instead.
  const Experiment e = parse_experiment(
      kBase + "[sweep.grid]\ntrain.lr = [0.01, 0.02]\n\"model.name\" = [\"deepsense\", \"cnn1d\"]\n", "s.toml");
  ASSERT_EQ(e.sweep.grid.size(), 2u);
  EXPECT_EQ(e.sweep.grid[0].key, "train.lr");
  EXPECT_EQ(e.sweep.grid[0].line, 8);
  EXPECT_EQ(e.sweep.grid[1].key, "model.name");
  const auto points = expand_sweep(e);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0].id, "p00-train.lr=0.01-model.name=deepsense");
  EXPECT_EQ(points[1].id, "p01-train.lr=0.01-model.name=cnn1d");
  EXPECT_EQ(points[2].experiment.model.name, "deepsense");
  EXPECT_DOUBLE_EQ(points[2].experiment.train.lr, 0.02);
  EXPECT_EQ(points[1].overrides[1], "model.name=\"cnn1d\"");
}

TEST(Sweep, ExplicitPoints) {
  const Experiment e = parse_experiment(
      kBase + "[sweep]\npoints = [\n  { \"model.width\" = 0.25 },\n  { \"model.width\" = 0.5, \"train.epochs\" = 20 },\n]\n",
      "s.toml");
  const auto points = expand_sweep(e);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].id, "p00-model.width=0.25");
  EXPECT_EQ(points[1].id, "p01-model.width=0.5-train.epochs=20");
  EXPECT_DOUBLE_EQ(points[0].experiment.model.width, 0.25);
  EXPECT_EQ(points[0].experiment.train.epochs, 5);
  EXPECT_EQ(points[1].experiment.train.epochs, 20);
}

TEST(Sweep, OverridesReproduceThePoint) {
  const Experiment e =
      parse_experiment(kBase + "[sweep]\ngrid = { \"dataset.test_groups\" = [[\"a\"], [\"b\", \"c\"]] }\n", "s.toml");
  const auto points = expand_sweep(e);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].id, "p01-dataset.test_groups=b_c");
  EXPECT_EQ(points[1].experiment.dataset.split_options.test_groups, (std::vector<std::string>{"b", "c"}));
  const Experiment again = parse_experiment(kBase, "s.toml", points[1].overrides);
  EXPECT_EQ(again.toml_text, points[1].experiment.toml_text);
}

TEST(Sweep, ManyPointsGetWiderIndices) {
  std::string values;
  for (int i = 0; i < 101; ++i) values += (i ? ", " : "") + std::to_string(i + 1);
  const Experiment e = parse_experiment(kBase + "[sweep]\ngrid = { \"train.epochs\" = [" + values + "] }\n", "s.toml");
  const auto points = expand_sweep(e);
  ASSERT_EQ(points.size(), 101u);
  EXPECT_EQ(points[0].id, "p000-train.epochs=1");
  EXPECT_EQ(points[100].id, "p100-train.epochs=101");
}

TEST(Sweep, BadKeysAndValuesNameTheSweepLine) {
  auto err = expect_error(kBase + "[sweep]\ngrid = { \"model.widht\" = [0.5], \"train.lr\" = [0.1, -1] }\n");
  ASSERT_EQ(err.issues().size(), 2u) << err.what();
  EXPECT_EQ(err.issues()[0].str(), "s.toml:8: model.widht: in [sweep]: unknown key (did you mean 'model.width'?)");
  EXPECT_EQ(err.issues()[1].str(), "s.toml:8: train.lr: in [sweep]: -1 is out of range (0, 10]");

  err = expect_error(kBase + "[sweep]\npoints = [\n  { \"train.epochs\" = 2 },\n  { \"train.epochs\" = \"many\" },\n]\n");
  ASSERT_EQ(err.issues().size(), 1u) << err.what();
  EXPECT_EQ(err.issues()[0].str(), "s.toml:10: train.epochs: in [sweep]: expected an int, got the string \"many\"");

  err = expect_error(kBase + "[sweep]\ngrid = { \"name\" = [\"a\"] }\n");
  EXPECT_NE(std::string(err.what()).find("'name' cannot be swept"), std::string::npos) << err.what();
  err = expect_error(kBase + "[sweep]\ngrid = { \"train.lr\" = [] }\n");
  EXPECT_NE(std::string(err.what()).find("needs a non-empty list"), std::string::npos) << err.what();
  err = expect_error(kBase + "[sweep]\ngird = { \"train.lr\" = [0.1] }\n");
  EXPECT_EQ(std::string(err.what()),
            "s.toml:8: sweep.gird: unknown key (did you mean 'grid'?) ([sweep] has grid or points)");
  err = expect_error(kBase + "[sweep]\ngrid = { \"train.lr\" = [0.1] }\npoints = [ { \"train.lr\" = 0.2 } ]\n");
  EXPECT_NE(std::string(err.what()).find("use either grid or points, not both"), std::string::npos);
}

TEST(Sweep, EveryPointIsValidatedAsAWhole) {
  // Each value is in range, but one combination leaves no training data.
  const auto err = expect_error(kBase +
                                "[sweep]\ngrid = { \"dataset.val_fraction\" = [0.1, 0.9], "
                                "\"dataset.test_fraction\" = [0.15, 0.2] }\n");
  // The same problem in two points is one issue naming both (issue #20: it was printed twice).
  ASSERT_EQ(err.issues().size(), 1u) << err.what();
  EXPECT_EQ(err.issues()[0].line, 8);
  EXPECT_EQ(err.issues()[0].key, "dataset.test_fraction");
  EXPECT_NE(err.issues()[0].message.find("in sweep points p02-dataset.val_fraction=0.9-dataset.test_fraction=0.15, "
                                         "p03-dataset.val_fraction=0.9-dataset.test_fraction=0.2: "),
            std::string::npos)
      << err.what();
}

TEST(Sweep, SanitizeId) {
  EXPECT_EQ(sanitize_id("p00-dataset.source=/a b/c:d"), "p00-dataset.source=_a_b_c_d");
  EXPECT_EQ(sanitize_id(".."), "_..");
  EXPECT_EQ(sanitize_id(std::string(300, 'a')).size(), 120u);
}
