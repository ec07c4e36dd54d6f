// Experiment configs: parsing, validation messages (file:line, key, suggestion),
// overrides, environment expansion, stage registry and the to_toml round trip.
#include <gtest/gtest.h>

#include <cstdlib>

#include "experiments/experiment.h"
#include "experiments/schema.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::exp;

namespace {

const char* kMinimal =
    "[dataset]\n"
    "source = \"synthetic:har\"\n"
    "[model]\n"
    "name = \"cnn1d\"\n";

// Parses and expects a ConfigError; returns it.
ConfigError parse_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_experiment(text, "x.toml", overrides);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return ConfigError({});
}

bool has_line(const ConfigError& e, const std::string& line) {
  for (const auto& i : e.issues())
    if (i.str() == line) return true;
  return false;
}

}  // namespace

TEST(Experiment, MinimalUsesDefaultsAndFileStem) {
  const Experiment e = parse_experiment(kMinimal, "configs/my_exp.toml");
  EXPECT_EQ(e.name, "my_exp");
  EXPECT_EQ(e.dataset.source, "synthetic:har");
  EXPECT_EQ(e.model.name, "cnn1d");
  EXPECT_DOUBLE_EQ(e.train.lr, train::TrainConfig{}.lr);
  EXPECT_EQ(e.train.epochs, train::TrainConfig{}.epochs);
  EXPECT_TRUE(e.dataset_cache);
  EXPECT_EQ(e.dataset_cache_dir, "cache");
  EXPECT_TRUE(e.stages.empty());
  EXPECT_TRUE(e.sweep.empty());
  EXPECT_EQ(e.lines.at("model.name"), 4);
  EXPECT_NE(e.toml_text.find("[train]"), std::string::npos);
}

TEST(Experiment, ReadsEveryTable) {
  const Experiment e = parse_experiment(
      "name = \"full\"\ndescription = \"d\"\n"
      "[dataset]\nsource = \"synthetic:audio\"\nwindow_seconds = 3\noverlap = 0.25\nhar_rate_hz = 25\n"
      "drop_short = false\nhar_features = \"deepsense\"\ndeepsense_intervals = 10\ndeepsense_fft_bins = 4\n"
      "audio_features = \"mfcc\"\nn_mfcc = 20\nn_mels = 30\nsplit = \"group\"\ntest_groups = [\"a\", \"b\"]\n"
      "val_fraction = 0.2\nsplit_seed = 7\nnormalize = false\ncache = false\ncache_dir = \"/tmp/c\"\n"
      "[model]\nname = \"deepear_dnn\"\nwidth = 0.5\nhidden_units = 128\n"
      "[train]\noptimizer = \"sgd\"\nlr = 1\nnesterov = true\nschedule = \"step\"\nstep_size = 3\n"
      "gamma = 0.5\nepochs = 7\nbatch_size = 16\nseed = 99\ngrad_clip = 5\n"
      "[export]\nenabled = true\nprecision = \"int8\"\n",
      "x.toml");
  EXPECT_EQ(e.name, "full");
  EXPECT_EQ(e.description, "d");
  EXPECT_DOUBLE_EQ(e.dataset.window.window_seconds, 3.0);
  EXPECT_DOUBLE_EQ(e.dataset.window.overlap, 0.25);
  EXPECT_DOUBLE_EQ(e.dataset.window.rate_hz, 25.0);
  EXPECT_FALSE(e.dataset.window.drop_short);
  EXPECT_EQ(e.dataset.deepsense.intervals, 10);
  EXPECT_EQ(e.dataset.deepsense.fft_bins, 4);
  EXPECT_EQ(e.dataset.audio.type, "mfcc");
  EXPECT_EQ(e.dataset.audio.n_mfcc, 20);
  EXPECT_EQ(e.dataset.split, "group");
  EXPECT_EQ(e.dataset.split_options.test_groups, (std::vector<std::string>{"a", "b"}));
  EXPECT_DOUBLE_EQ(e.dataset.split_options.val_fraction, 0.2);
  EXPECT_EQ(e.dataset.split_options.seed, 7u);
  EXPECT_FALSE(e.dataset.normalize);
  EXPECT_FALSE(e.dataset_cache);
  EXPECT_EQ(e.dataset_cache_dir, "/tmp/c");
  EXPECT_EQ(e.model.name, "deepear_dnn");
  EXPECT_DOUBLE_EQ(e.model.width, 0.5);
  EXPECT_EQ(e.model.hidden_units, 128);
  EXPECT_EQ(e.train.optimizer, "sgd");
  EXPECT_DOUBLE_EQ(e.train.lr, 1.0);  // an int where a float is wanted is fine
  EXPECT_TRUE(e.train.nesterov);
  EXPECT_EQ(e.train.schedule, "step");
  EXPECT_EQ(e.train.step_size, 3);
  EXPECT_EQ(e.train.epochs, 7);
  EXPECT_EQ(e.train.batch_size, 16);
  EXPECT_EQ(e.train.seed, 99u);
  EXPECT_DOUBLE_EQ(e.train.grad_clip, 5.0);
  EXPECT_TRUE(e.export_.enabled);
  EXPECT_EQ(e.export_.precision, "int8");
}

TEST(Experiment, UnknownKeySuggestsClosestWithFileAndLine) {
  const auto err = parse_error(std::string(kMinimal) + "[train]\nepoch = 5\n");
  ASSERT_EQ(err.issues().size(), 1u);
  EXPECT_EQ(err.issues()[0].file, "x.toml");
  EXPECT_EQ(err.issues()[0].line, 6);
  EXPECT_EQ(err.issues()[0].key, "train.epoch");
  EXPECT_EQ(std::string(err.what()), "x.toml:6: train.epoch: unknown key (did you mean 'epochs'?)");
}

TEST(Experiment, UnknownKeySuggestsThroughAliases) {
  const auto err = parse_error("[train]\nlearnig_rate = 0.1\n" + std::string(kMinimal));
  EXPECT_TRUE(has_line(err, "x.toml:2: train.learnig_rate: unknown key (did you mean 'lr'?)")) << err.what();
}

TEST(Experiment, UnknownKeyWithoutSuggestionListsKeysOrTheRightTable) {
  auto err = parse_error(std::string(kMinimal) + "[model]\n");  // duplicate table is a TOML error
  EXPECT_NE(std::string(err.what()).find("TOML syntax"), std::string::npos);
  err = parse_error("[dataset]\nsource = \"synthetic:har\"\nepochs = 3\n[model]\nname = \"cnn1d\"\n");
  EXPECT_TRUE(has_line(err, "x.toml:3: dataset.epochs: unknown key ('epochs' belongs in [train])")) << err.what();
  err = parse_error(std::string(kMinimal) + "[export]\nzzzzzz = 1\n");
  EXPECT_NE(std::string(err.what()).find("known keys of [export]: enabled, precision"), std::string::npos)
      << err.what();
}

TEST(Experiment, UnknownTableAndTopLevelKey) {
  const auto err = parse_error(std::string(kMinimal) + "[trian]\nepochs = 3\nfoo = 1\n");
  // foo is inside [trian]; only the table is reported.
  ASSERT_EQ(err.issues().size(), 1u) << err.what();
  EXPECT_EQ(err.issues()[0].line, 5);
  EXPECT_NE(err.issues()[0].message.find("unknown table [trian] (did you mean 'train'?)"), std::string::npos);
  const auto err2 = parse_error("epochs = 3\n" + std::string(kMinimal));
  EXPECT_TRUE(has_line(err2, "x.toml:1: epochs: unknown key ('epochs' belongs in [train])")) << err2.what();
  const auto err3 = parse_error(std::string(kMinimal) + "[dataset.audio]\nn_mels = 3\n");
  EXPECT_NE(std::string(err3.what()).find("x.toml:5: dataset.audio: unknown table"), std::string::npos)
      << err3.what();
}

// kMinimal plus a [train] table with `train_lines`: the whole message.
void expect_train_error(const std::string& train_lines, const std::string& message) {
  EXPECT_EQ(std::string(parse_error(std::string(kMinimal) + "[train]\n" + train_lines).what()), message);
}

TEST(Experiment, WrongTypes) {
  expect_train_error("lr = \"fast\"\n", "x.toml:6: train.lr: expected a float, got the string \"fast\"");
  expect_train_error("epochs = 2.5\n", "x.toml:6: train.epochs: expected an int, got the float 2.5");
  expect_train_error("nesterov = 1\n", "x.toml:6: train.nesterov: expected a bool, got the int 1");
  expect_train_error("lr = [1, 2]\n", "x.toml:6: train.lr: expected a float, got a list");
  const auto err = parse_error("[dataset]\nsource = \"synthetic:har\"\ntest_groups = \"s1\"\n[model]\nname = \"cnn1d\"\n");
  EXPECT_NE(std::string(err.what()).find("x.toml:3: dataset.test_groups: expected a string list"),
            std::string::npos)
      << err.what();
}

TEST(Experiment, OutOfRangeAndEnumerations) {
  expect_train_error("lr = 0\n", "x.toml:6: train.lr: 0 is out of range (0, 10]");
  expect_train_error("epochs = 0\n", "x.toml:6: train.epochs: 0 is out of range [1, 100000]");
  expect_train_error("optimizer = \"adagrad\"\n",
                     "x.toml:6: train.optimizer: 'adagrad' is not one of: sgd, adam, adamw, rmsprop");
  auto err = parse_error("[dataset]\nsource = \"synthetic:har\"\noverlap = 1.0\n[model]\nname = \"cnn1d\"\nwidth = 4.5\n");
  EXPECT_TRUE(has_line(err, "x.toml:3: dataset.overlap: 1 is out of range [0, 1)")) << err.what();
  EXPECT_TRUE(has_line(err, "x.toml:6: model.width: 4.5 is out of range (0, 4]")) << err.what();
  err = parse_error("[dataset]\nsource = \"synthetic:har\"\nimage_channels = 2\n[model]\nname = \"cnn1d\"\n");
  EXPECT_TRUE(has_line(err, "x.toml:3: dataset.image_channels: '2' is not one of: 0, 1, 3")) << err.what();
  err = parse_error("[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"resnet\"\n");
  EXPECT_NE(std::string(err.what()).find("one of: deepsense, cnn1d, deepear_dnn, audio_cnn, lenet5, vgg_small"),
            std::string::npos);
  err = parse_error("[dataset]\nsource = \"synthetic:har\"\nsynthetic_seed = -1\n[model]\nname = \"cnn1d\"\n");
  EXPECT_TRUE(has_line(err, "x.toml:3: dataset.synthetic_seed: -1 is out of range ≥ 0")) << err.what();
}

TEST(Experiment, MissingRequiredKeys) {
  const auto err = parse_error("[dataset]\nwindow_seconds = 2\n");
  ASSERT_EQ(err.issues().size(), 2u) << err.what();
  EXPECT_EQ(err.issues()[0].key, "dataset.source");
  EXPECT_EQ(err.issues()[0].line, 1);  // the [dataset] header
  EXPECT_NE(err.issues()[0].message.find("required key is missing"), std::string::npos);
  EXPECT_EQ(err.issues()[1].key, "model.name");
  EXPECT_EQ(err.issues()[1].line, 0);  // no [model] table at all
  EXPECT_EQ(err.issues()[1].str(), "x.toml: model.name: required key is missing (add name = ... to [model])");
}

TEST(Experiment, AllErrorsAreReportedTogether) {
  const auto err = parse_error(
      "[dataset]\nsource = \"synthetic:har\"\noverlap = 2\n"
      "[model]\nname = \"cnn1d\"\nwidht = 0.5\n"
      "[train]\nlr = \"x\"\nepoch = 3\n");
  ASSERT_EQ(err.issues().size(), 4u) << err.what();
  const std::string what = err.what();
  EXPECT_EQ(std::count(what.begin(), what.end(), '\n'), 3);
  EXPECT_EQ(err.issues()[0].line, 3);
  EXPECT_EQ(err.issues()[1].line, 6);
  EXPECT_NE(err.issues()[1].message.find("did you mean 'width'?"), std::string::npos);
  EXPECT_EQ(err.issues()[2].line, 8);
  EXPECT_EQ(err.issues()[3].line, 9);
}

TEST(Experiment, TomlSyntaxErrorCarriesItsLine) {
  const auto err = parse_error("[dataset]\nsource = \"synthetic:har\"\nwindow_seconds = = 2\n");
  ASSERT_EQ(err.issues().size(), 1u);
  EXPECT_EQ(err.issues()[0].line, 3);
  EXPECT_NE(err.issues()[0].message.find("TOML syntax"), std::string::npos);
}

TEST(Experiment, CrossKeyChecks) {
  auto err = parse_error(
      "[dataset]\nsource = \"synthetic:har\"\nval_fraction = 0.5\ntest_fraction = 0.5\n[model]\nname = \"cnn1d\"\n");
  EXPECT_TRUE(has_line(err, "x.toml:4: dataset.test_fraction: val_fraction + test_fraction must be < 1 "
                            "(no training data would be left)"))
      << err.what();
  err = parse_error("[dataset]\nsource = \"synthetic:audio\"\nn_fft = 128\nwin_length = 200\n[model]\nname = \"cnn1d\"\n");
  EXPECT_TRUE(has_line(err, "x.toml:4: dataset.win_length: win_length 200 exceeds n_fft 128")) << err.what();
  err = parse_error(
      "[dataset]\nsource = \"synthetic:har\"\ntest_groups = [\"a\"]\nval_groups = [\"a\"]\n[model]\nname = \"cnn1d\"\n");
  EXPECT_NE(std::string(err.what()).find("group 'a' is also in test_groups"), std::string::npos);
  err = parse_error("name = \"a b\"\n" + std::string(kMinimal));
  EXPECT_NE(std::string(err.what()).find("x.toml:1: name: 'a b' is not usable as a folder name"), std::string::npos);
}

TEST(Experiment, SourceIsCheckedBeforeAnyWork) {
  auto err = parse_error("[dataset]\nsource = \"/nonexistent/slimlab/data\"\n[model]\nname = \"cnn1d\"\n");
  ASSERT_EQ(err.issues().size(), 1u);
  EXPECT_EQ(err.issues()[0].line, 2);
  EXPECT_EQ(err.issues()[0].key, "dataset.source");
  EXPECT_NE(err.issues()[0].message.find("no such file or directory"), std::string::npos);
  err = parse_error("[dataset]\nsource = \"synthetic:video\"\n[model]\nname = \"cnn1d\"\n");
  EXPECT_NE(std::string(err.what()).find("unknown synthetic kind"), std::string::npos);
}

TEST(Experiment, EnvironmentExpansion) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "hmp");
  test::write_text(dir / "hmp" / "Walk" / "Accelerometer-2011-03-24-10-24-39-walk-f1.txt", "1 2 3\n");
  ::setenv("SLIMLAB_TEST_ROOT", dir.path().c_str(), 1);
  ::unsetenv("SLIMLAB_TEST_UNSET");
  Experiment e = parse_experiment(
      "[dataset]\nsource = \"hmp:${SLIMLAB_TEST_ROOT}/hmp\"\ncache_dir = \"${SLIMLAB_TEST_UNSET:-fallback}/c$$x\"\n"
      "[model]\nname = \"cnn1d\"\n",
      "x.toml");
  EXPECT_EQ(e.dataset.source, "hmp:" + dir.path().string() + "/hmp");
  EXPECT_EQ(e.dataset_cache_dir, "fallback/c$x");
  // The resolved text escapes '$' so it reads back to the same value.
  const Experiment back = parse_experiment(e.toml_text, "x.toml");
  EXPECT_EQ(back.dataset_cache_dir, "fallback/c$x");

  const auto err = parse_error("[dataset]\nsource = \"${SLIMLAB_TEST_UNSET}/hmp\"\n[model]\nname = \"cnn1d\"\n");
  EXPECT_EQ(std::string(err.what()),
            "x.toml:2: dataset.source: environment variable SLIMLAB_TEST_UNSET is not set "
            "(write ${SLIMLAB_TEST_UNSET:-default} to give a default)");
}

TEST(Experiment, Overrides) {
  const Experiment e = parse_experiment(kMinimal, "x.toml",
                                        {"model.width=0.5", "train.lr = 3e-3", "model.name=deepsense",
                                         "dataset.test_groups=s1,s2", "train.nesterov=true", "name=other",
                                         "dataset.subset=\"train\""});
  EXPECT_DOUBLE_EQ(e.model.width, 0.5);
  EXPECT_DOUBLE_EQ(e.train.lr, 3e-3);
  EXPECT_EQ(e.model.name, "deepsense");
  EXPECT_EQ(e.dataset.split_options.test_groups, (std::vector<std::string>{"s1", "s2"}));
  EXPECT_TRUE(e.train.nesterov);
  EXPECT_EQ(e.name, "other");
  EXPECT_EQ(e.dataset.subset, "train");
  EXPECT_EQ(e.lines.count("model.width"), 0u);  // not from the file
  EXPECT_EQ(e.lines.count("model.name"), 0u);   // overridden
  EXPECT_EQ(e.lines.at("dataset.source"), 2);
  const Experiment g = parse_experiment(std::string(kMinimal) + "[train]\nepochs = 3\n", "x.toml", {"train.epochs=4"});
  EXPECT_EQ(g.train.epochs, 4);
  EXPECT_EQ(g.lines.count("train.epochs"), 0u);  // the file's line no longer holds the value
  // Overrides satisfy required keys too.
  const Experiment f = parse_experiment("[dataset]\nsource = \"synthetic:vision\"\n", "y.toml", {"model.name=lenet5"});
  EXPECT_EQ(f.model.name, "lenet5");
}

TEST(Experiment, BadOverrides) {
  const auto err = parse_error(kMinimal, {"model.width=abc", "model.widht=1", "train.epochs=0", "nonsense",
                                          "sweep.grid=1", "stage.0.x=1"});
  ASSERT_EQ(err.issues().size(), 6u) << err.what();
  EXPECT_EQ(err.issues()[0].str(), "--set: model.width: cannot read 'abc' as a float");
  EXPECT_EQ(err.issues()[1].str(), "--set: model.widht: unknown key (did you mean 'model.width'?)");
  EXPECT_EQ(err.issues()[2].str(), "--set: train.epochs: 0 is out of range [1, 100000]");
  EXPECT_EQ(err.issues()[3].str(), "--set: 'nonsense' is not of the form table.key=value");
  EXPECT_EQ(err.issues()[4].str(), "--set: sweep.grid: [sweep] cannot be overridden or swept");
  EXPECT_EQ(err.issues()[5].str(), "--set: stage.0.x: no [[stage]] with index 0 (the experiment has 0)");
}

TEST(Experiment, UnknownStageTypeWhileNoneAreRegistered) {
  if (!stage_types().empty()) GTEST_SKIP() << "stage types are registered in this binary";
  const auto err = parse_error(std::string(kMinimal) + "[[stage]]\ntype = \"deepiot\"\ntarget = 0.1\n");
  ASSERT_EQ(err.issues().size(), 1u) << err.what();
  EXPECT_EQ(std::string(err.what()),
            "x.toml:6: stage.0.type: unknown stage type 'deepiot' (known: none yet — compression stages arrive "
            "with the compression issues)");
  const auto err2 = parse_error(std::string(kMinimal) + "[stage]\ntype = \"x\"\n");
  EXPECT_NE(std::string(err2.what()).find("write compression stages as [[stage]]"), std::string::npos);
}

TEST(Experiment, RegisteredStageTypes) {
  SchemaEntry keep;
  keep.key = "keep";
  keep.type = ValueType::kFloat;
  keep.min = 0;
  keep.max = 1;
  keep.min_open = true;
  keep.default_value = 0.5;
  keep.doc = "fraction of units kept";
  SchemaEntry method;
  method.key = "method";
  method.type = ValueType::kString;
  method.choices = {"magnitude", "random"};
  method.default_value = std::string("magnitude");
  register_stage_type("test_prune", {keep, method});

  const std::string text = std::string(kMinimal) + "[[stage]]\ntype = \"test_prune\"\nkeep = 0.25\n";
  Experiment e = parse_experiment(text, "x.toml", {"stage.0.method=random"});
  ASSERT_EQ(e.stages.size(), 1u);
  EXPECT_EQ(e.stages[0].type, "test_prune");
  EXPECT_EQ(e.stages[0].line, 5);
  EXPECT_EQ(e.stages[0].params.at("keep"), "0.25");
  EXPECT_EQ(e.stages[0].params.at("method"), "random");
  const Experiment back = parse_experiment(e.toml_text, "x.toml");
  EXPECT_EQ(back.stages[0].params, e.stages[0].params);
  EXPECT_EQ(to_toml(back), e.toml_text);

  // Defaults are filled; unknown keys and bad values are reported with a suggestion.
  e = parse_experiment(std::string(kMinimal) + "[[stage]]\ntype = \"test_prune\"\n", "x.toml");
  EXPECT_EQ(e.stages[0].params.at("keep"), "0.5");
  const auto err = parse_error(std::string(kMinimal) + "[[stage]]\ntype = \"test_prune\"\nkeeep = 0.3\nkeep = 0\n");
  EXPECT_TRUE(has_line(err, "x.toml:7: stage.0.keeep: unknown key of stage type 'test_prune' (did you mean 'keep'?)"))
      << err.what();
  EXPECT_TRUE(has_line(err, "x.toml:8: stage.0.keep: 0 is out of range (0, 1]")) << err.what();
  const auto err2 = parse_error(std::string(kMinimal) + "[[stage]]\ntype = \"test_prun\"\n");
  // The known list also holds the compression stages compress/ describes.
  EXPECT_NE(std::string(err2.what()).find("(did you mean 'test_prune'?)"), std::string::npos)
      << err2.what();
  EXPECT_NE(std::string(err2.what()).find("distill"), std::string::npos) << err2.what();
  EXPECT_NE(help_keys().find("test_prune"), std::string::npos);
}

TEST(Experiment, ToTomlRoundTrips) {
  const Experiment e = parse_experiment(
      "name = \"rt\"\ndescription = \"quote \\\" and \\\\ and\\ttab\"\n"
      "[dataset]\nsource = \"synthetic:vision\"\noverlap = 0.1\nval_fraction = 0.15\ntest_groups = [\"x y\", \"z\"]\n"
      "fmax = 3000\nsynthetic_scale = 0.3\n"
      "[model]\nname = \"lenet5\"\nwidth = 0.333333333333\n"
      "[train]\nlr = 1e-5\nmin_lr = 1e-7\nepochs = 3\n"
      "[export]\nenabled = true\n"
      "[sweep]\ngrid = { \"train.lr\" = [1e-3, 3e-3], \"model.name\" = [\"lenet5\", \"vgg_small\"] }\n",
      "rt.toml");
  const std::string text = to_toml(e);
  EXPECT_EQ(text, e.toml_text);
  const Experiment back = parse_experiment(text, "rt.toml");
  EXPECT_EQ(to_toml(back), text);
  EXPECT_EQ(back.description, "quote \" and \\ and\ttab");
  EXPECT_DOUBLE_EQ(back.model.width, 0.333333333333);
  EXPECT_DOUBLE_EQ(back.train.lr, 1e-5);
  EXPECT_DOUBLE_EQ(back.dataset.synthetic_scale, 0.3);
  EXPECT_EQ(back.dataset.split_options.test_groups, e.dataset.split_options.test_groups);
  ASSERT_EQ(back.sweep.grid.size(), 2u);
  EXPECT_EQ(back.sweep.grid[0].key, "train.lr");  // order as written survives
  EXPECT_EQ(back.sweep.grid[1].key, "model.name");
  // Every key of the schema is written.
  for (const SchemaEntry& s : experiment_schema())
    EXPECT_NE(text.find("\n" + s.name() + " = "), std::string::npos) << s.key;
}

TEST(Experiment, LoadExperimentFromFile) {
  test::TempDir dir;
  test::write_text(dir / "exp.toml", std::string(kMinimal) + "[train]\nepoch = 5\n");
  try {
    load_experiment(dir / "exp.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "exp.toml").string() + ":6: train.epoch: unknown key (did you mean 'epochs'?)");
  }
  EXPECT_THROW(load_experiment(dir / "missing.toml"), ConfigError);
  test::write_text(dir / "ok.toml", kMinimal);
  const Experiment e = load_experiment(dir / "ok.toml", {"train.epochs=2"});
  EXPECT_EQ(e.name, "ok");
  EXPECT_EQ(e.file, dir / "ok.toml");
  EXPECT_EQ(e.train.epochs, 2);
}

TEST(Experiment, ShippedExperimentsParse) {
  const std::filesystem::path root = SLIMLAB_SOURCE_DIR;
  ::setenv("SLIMLAB_DATASETS", test::shared_datasets().c_str(), 1);
  int parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root / "experiments")) {
    if (entry.path().extension() != ".toml") continue;
    try {
      const Experiment e = load_experiment(entry.path());
      EXPECT_EQ(e.name, entry.path().stem().string());
      ++parsed;
    } catch (const ConfigError& err) {
      // Only a missing real dataset, or a teacher run not trained (or not finished) yet
      // (distillation), may stop a shipped experiment.
      for (const auto& i : err.issues())
        EXPECT_TRUE((i.key == "dataset.source" && i.message.find("no such file") != std::string::npos) ||
                    (i.key.find(".teacher") != std::string::npos &&
                     (i.message.find("no run folder") != std::string::npos ||
                      i.message.find("has no model.h5") != std::string::npos)))
            << i.str();
    }
  }
  EXPECT_GT(parsed, 0);
}

TEST(Schema, HelpKeysListsEveryKey) {
  const std::string help = help_keys();
  for (const SchemaEntry& s : experiment_schema()) {
    EXPECT_NE(help.find(s.key), std::string::npos) << s.key;
    EXPECT_FALSE(s.doc.empty()) << s.key;
    EXPECT_TRUE(s.set && s.get) << s.key;
  }
  EXPECT_NE(help.find("train.lr"), std::string::npos);
  EXPECT_NE(help.find("(0, 10]"), std::string::npos);
  EXPECT_NE(help.find("(required)"), std::string::npos);
}

TEST(Schema, SetterAndGetterAgree) {
  // Every key: set its default through the table, read it back.
  Experiment e;
  for (const SchemaEntry& s : experiment_schema()) {
    if (s.key == "name") continue;  // its default is the file's stem
    s.set(e, s.default_value);
    EXPECT_EQ(toml_literal(s.get(e)), toml_literal(s.default_value)) << s.key;
    EXPECT_TRUE(s.check(s.default_value).empty()) << s.key << ": " << s.check(s.default_value);
  }
}

TEST(Schema, Suggestions) {
  EXPECT_EQ(levenshtein("epoch", "epochs"), 1u);
  EXPECT_EQ(levenshtein("", "abc"), 3u);
  EXPECT_EQ(levenshtein("kitten", "sitting"), 3u);
  const std::vector<Candidate> c = {{"epochs", {}}, {"lr", {"learning_rate"}}, {"deepsense_fft_bins", {}},
                                    {"deepsense_intervals", {}}};
  EXPECT_EQ(suggestions("epoch", c), std::vector<std::string>{"epochs"});
  EXPECT_EQ(suggestions("learning_rat", c), std::vector<std::string>{"lr"});
  EXPECT_EQ(suggestions("xy", c), std::vector<std::string>{});
  EXPECT_EQ(suggestions("deepsense_bins", c).front(), "deepsense_fft_bins");  // shared prefix
  EXPECT_EQ(did_you_mean("epoch", c), " (did you mean 'epochs'?)");
  EXPECT_EQ(did_you_mean("qqqqqq", c), "");
}

TEST(Schema, Literals) {
  EXPECT_EQ(toml_literal(Value(0.001)), "0.001");
  EXPECT_EQ(toml_literal(Value(1.0)), "1.0");
  EXPECT_EQ(toml_literal(Value(1e-7)), "1e-07");
  EXPECT_EQ(toml_literal(Value(int64_t(3))), "3");
  EXPECT_EQ(toml_literal(Value(std::string("a\"b"))), "\"a\\\"b\"");
  EXPECT_EQ(toml_literal(Value(std::vector<std::string>{"a", "b"})), "[\"a\", \"b\"]");
  EXPECT_EQ(plain_text(Value(0.1 + 0.2)), "0.30000000000000004");
  Value out;
  std::string why;
  EXPECT_TRUE(coerce(Value(int64_t(2)), ValueType::kFloat, &out, &why));
  EXPECT_DOUBLE_EQ(std::get<double>(out), 2.0);
  EXPECT_FALSE(coerce(Value(2.0), ValueType::kInt, &out, &why));
  EXPECT_EQ(why, "expected an int, got the float 2.0");
}

// What the configuration alone tells is rejected at validation, at file:line (issues
// #15 and #20): an image model on HAR data, a binary export without a binary stage.
TEST(Experiment, ModelAgainstTheDatasetsModality) {
  auto err = parse_error("[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"lenet5\"\n");
  ASSERT_EQ(err.issues().size(), 1u) << err.what();
  EXPECT_EQ(err.issues()[0].str(),
            "x.toml:4: model.name: 'lenet5' is a vision model but dataset.source 'synthetic:har' is har data "
            "(har models: deepsense, cnn1d)");
  // Through --set: the same check, the file named without a line.
  err = parse_error(kMinimal, {"model.name=audio_cnn"});
  ASSERT_EQ(err.issues().size(), 1u) << err.what();
  EXPECT_EQ(err.issues()[0].key, "model.name");
  EXPECT_NE(err.issues()[0].message.find("is an audio model"), std::string::npos) << err.what();
  EXPECT_NO_THROW(parse_experiment("[dataset]\nsource = \"synthetic:vision\"\n[model]\nname = \"lenet5\"\n", "x.toml"));
  EXPECT_NO_THROW(parse_experiment("[dataset]\nsource = \"synthetic:audio\"\n[model]\nname = \"deepear_dnn\"\n", "x.toml"));
}

TEST(Experiment, ExportPrecisionAgainstTheStages) {
  const std::string exp = std::string(kMinimal) + "[export]\nenabled = true\nprecision = \"binary\"\n";
  const auto err = parse_error(exp);
  ASSERT_EQ(err.issues().size(), 1u) << err.what();
  EXPECT_EQ(err.issues()[0].file, "x.toml");
  EXPECT_EQ(err.issues()[0].line, 7);
  EXPECT_EQ(err.issues()[0].key, "export.precision");
  EXPECT_NE(err.issues()[0].message.find("binaryconnect"), std::string::npos) << err.what();
  // With a binary stage it is fine; so is int8 / int16 of a float run (quantized at
  // export) and a disabled export.
  EXPECT_NO_THROW(parse_experiment(exp + "[[stage]]\ntype = \"binaryconnect\"\nepochs = 1\n", "x.toml"));
  EXPECT_NO_THROW(parse_experiment(exp + "[[stage]]\ntype = \"bnn\"\nepochs = 1\n", "x.toml"));
  for (const char* p : {"int8", "int16", "fp32"})
    EXPECT_NO_THROW(parse_experiment(std::string(kMinimal) + "[export]\nenabled = true\nprecision = \"" + p + "\"\n",
                                     "x.toml"))
        << p;
  EXPECT_NO_THROW(parse_experiment(std::string(kMinimal) + "[export]\nenabled = false\nprecision = \"binary\"\n",
                                   "x.toml"));
  // A sweep point or an override that makes it binary is caught too.
  const auto err2 = parse_error(std::string(kMinimal) + "[export]\nenabled = true\n", {"export.precision=binary"});
  EXPECT_EQ(err2.issues().at(0).key, "export.precision");
}

// DeepIoT's stop check measures the really pruned network by default (issue #20).
TEST(Experiment, DeepIotStopsOnTheRemovedNetworkByDefault) {
  const Experiment e = parse_experiment(std::string(kMinimal) + "[[stage]]\ntype = \"deepiot\"\n", "x.toml");
  ASSERT_EQ(e.stages.size(), 1u);
  EXPECT_EQ(e.stages[0].params.at("stop_eval"), "removed");
}
