// Stage descriptions on the experiment side: [[stage]] keys parse and validate with
// file:line, stage index, key and reason; unknown types get a "did you mean";
// --help-keys lists them; StageRecords survive results.h5 and a damaged one is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "compress/deepiot/deepiot.h"
#include "compress/distill/distill.h"
#include "compress/stage.h"
#include "datasets/errors.h"
#include "datasets/h5.h"
#include "experiments/experiment.h"
#include "experiments/results.h"
#include "experiments/schema.h"
#include "ir_fixtures.h"
#include "expect_error.h"
#include "test_util.h"
#include "train/resources.h"

namespace fs = std::filesystem;

namespace slimlab {
namespace {

std::string base() {
  return "[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n";
}

std::string error_of(const std::string& text) {
  try {
    exp::parse_experiment(text, "x.toml");
  } catch (const exp::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(StageSchema, DistillIsRegisteredWithItsKeys) {
  const auto* keys = exp::stage_schema("distill");
  ASSERT_NE(keys, nullptr);
  std::vector<std::string> names;
  for (const auto& k : *keys) names.push_back(k.key);
  for (const char* k : {"teacher", "temperature", "alpha", "epochs", "lr", "batch_size"})
    EXPECT_NE(std::find(names.begin(), names.end(), k), names.end()) << k;
  const std::string help = exp::help_keys();
  EXPECT_NE(help.find("type = \"distill\""), std::string::npos);
  EXPECT_NE(help.find("temperature"), std::string::npos);
}

// DeepIoT's stop rule measures the network that will really be kept: units below
// the threshold count as removed unless an experiment asks for the original "halved".
// One default, in Options, for the stage key and for code that builds Options itself.
TEST(StageSchema, DeepIoTStopsOnTheReallyPrunedNetworkByDefault) {
  EXPECT_EQ(compress::deepiot::Options().stop_eval, "removed");
  const auto* keys = exp::stage_schema("deepiot");
  ASSERT_NE(keys, nullptr);
  const auto it = std::find_if(keys->begin(), keys->end(), [](const exp::SchemaEntry& e) { return e.key == "stop_eval"; });
  ASSERT_NE(it, keys->end());
  EXPECT_EQ(exp::plain_text(it->default_value), "removed");
  EXPECT_EQ(it->choices, (std::vector<std::string>{"halved", "removed"}));
  // Both values parse; anything else is refused at the key.
  const std::string base = "[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n[[stage]]\ntype = \"deepiot\"\n";
  EXPECT_EQ(exp::parse_experiment(base, "d.toml").stages[0].params.at("stop_eval"), "removed");
  EXPECT_EQ(exp::parse_experiment(base + "stop_eval = \"halved\"\n", "d.toml").stages[0].params.at("stop_eval"), "halved");
  EXPECT_THROW(exp::parse_experiment(base + "stop_eval = \"half\"\n", "d.toml"), exp::ConfigError);
}

TEST(StageSchema, ValuesAreCheckedWithFileLineStageAndKey) {
  test::TempDir dir;
  fs::create_directories(dir / "t");
  std::ofstream(dir / "t/model.h5") << "x";  // exists: resolution passes, contents are checked at preflight
  const std::string teacher = (dir / "t").string();
  // alpha out of [0, 1] on line 6.
  std::string m = error_of(base() + "[[stage]]\ntype = \"distill\"\nteacher = \"" + teacher + "\"\nalpha = 1.5\n");
  EXPECT_NE(m.find("x.toml:8: stage.0.alpha"), std::string::npos) << m;
  // A required key missing.
  m = error_of(base() + "[[stage]]\ntype = \"distill\"\n");
  EXPECT_NE(m.find("stage.0.teacher"), std::string::npos) << m;
  EXPECT_NE(m.find("required"), std::string::npos) << m;
  // A teacher that is not there: the validator names the stage, key and reason.
  m = error_of(base() + "[[stage]]\ntype = \"distill\"\nteacher = \"" + (dir / "nope").string() + "\"\n");
  EXPECT_NE(m.find("x.toml:7: stage.0.teacher: stage 0 (distill): no run folder"), std::string::npos) << m;
  // epochs = 0 makes no sense for distillation (cross-key check).
  m = error_of(base() + "[[stage]]\ntype = \"distill\"\nteacher = \"" + teacher + "\"\nepochs = 0\n");
  EXPECT_NE(m.find("stage.0.epochs"), std::string::npos) << m;
  // Unknown type and unknown key: did you mean.
  m = error_of(base() + "[[stage]]\ntype = \"distil\"\n");
  EXPECT_NE(m.find("did you mean 'distill'"), std::string::npos) << m;
  m = error_of(base() + "[[stage]]\ntype = \"distill\"\nteacher = \"" + teacher + "\"\ntemprature = 2.0\n");
  EXPECT_NE(m.find("did you mean 'temperature'"), std::string::npos) << m;
  // A valid stage parses with its defaults filled in, and --set reaches it.
  const exp::Experiment e = exp::parse_experiment(base() + "[[stage]]\ntype = \"distill\"\nteacher = \"" + teacher +
                                                      "\"\n",
                                                  "x.toml", {"stage.0.temperature=2"});
  ASSERT_EQ(e.stages.size(), 1u);
  EXPECT_EQ(std::stod(e.stages[0].params.at("temperature")), 2.0);
  EXPECT_EQ(e.stages[0].params.at("alpha"), "0.7");
  m = error_of(base() + "[[stage]]\ntype = \"distill\"\nteacher = \"" + teacher + "\"\n");
  EXPECT_EQ(m, "");
}

TEST(StageParams, TypedAccessorsNameTheKey) {
  compress::StageParams p("distill", 2, {{"a", "0.5"}, {"n", "3"}, {"b", "true"}, {"l", "x,y"}, {"s", "word"}});
  EXPECT_EQ(p.number("a"), 0.5);
  EXPECT_EQ(p.integer("n"), 3);
  EXPECT_TRUE(p.flag("b"));
  EXPECT_EQ(p.list("l"), (std::vector<std::string>{"x", "y"}));
  slimlab::test::expect_error<std::invalid_argument>([&] { p.number("s"); }, {"stage.2.s (distill)"});
  EXPECT_THROW(p.text("missing"), std::invalid_argument);
  EXPECT_THROW(p.integer("a"), std::invalid_argument);
}

TEST(Teacher, ResolutionSaysWhatItLookedFor) {
  test::TempDir dir;
  fs::create_directories(dir / "runs/exp/p00/checkpoints");
  std::ofstream(dir / "runs/exp/p00/model.h5") << "x";
  std::ofstream(dir / "runs/exp/p00/checkpoints/last.pt") << "x";
  EXPECT_EQ(compress::resolve_teacher((dir / "runs/exp/p00").string()).graph, dir / "runs/exp/p00/model.h5");
  EXPECT_EQ(compress::resolve_teacher("exp/p00", dir / "runs").graph, dir / "runs/exp/p00/model.h5");
  const auto ck = compress::resolve_teacher((dir / "runs/exp/p00/checkpoints/last.pt").string());
  EXPECT_EQ(ck.checkpoint, dir / "runs/exp/p00/checkpoints/last.pt");
  EXPECT_EQ(ck.graph, dir / "runs/exp/p00/model.h5");
  fs::create_directories(dir / "runs/exp/unfinished");
  slimlab::test::expect_error<std::invalid_argument>([&] { compress::resolve_teacher("exp/unfinished", dir / "runs"); },
                                                     {"has no model.h5"});
}

compress::StageRecord sample_record() {
  compress::StageRecord r;
  r.type = "deepiot";
  r.metrics = {{"val_accuracy", 0.9}, {"params", 1234}};
  r.info = {{"note", "kept 10 of 20"}};
  compress::Table t;
  t.columns = {"iteration", "threshold"};
  t.rows = {{0, 0.0}, {500, 0.025}, {1000, 0.05}};
  r.tables["threshold"] = t;
  compress::Table k;
  k.columns = {"kept"};
  k.rows = {{10}, {20}};
  k.row_labels = {"conv1", "conv2"};
  r.tables["kept_units"] = k;
  return r;
}

// A finished run record with nothing else: stages and resources are added by each test.
exp::RunRecord finished_record() {
  exp::RunRecord rec;
  rec.experiment = "e";
  rec.run_id = "r";
  rec.status = "finished";
  return rec;
}

TEST(StageRecords, RoundTripThroughResultsAndTheirOwnFile) {
  test::TempDir dir;
  exp::RunRecord rec = finished_record();
  rec.stages = {sample_record(), compress::StageRecord{"distill", {}, {}, {}}};
  exp::write_results(rec, dir / "results.h5");
  const exp::RunRecord back = exp::read_results(dir / "results.h5");
  ASSERT_EQ(back.stages.size(), 2u);
  EXPECT_EQ(back.stages[0].type, "deepiot");
  EXPECT_EQ(back.stages[0].metrics, sample_record().metrics);
  EXPECT_EQ(back.stages[0].info, sample_record().info);
  EXPECT_EQ(back.stages[0].tables.at("threshold").rows, sample_record().tables.at("threshold").rows);
  EXPECT_EQ(back.stages[0].tables.at("kept_units").row_labels, (std::vector<std::string>{"conv1", "conv2"}));
  EXPECT_EQ(back.stages[1].type, "distill");
  EXPECT_TRUE(back.stages[1].tables.empty());

  exp::write_stage_record(sample_record(), dir / "record.h5");
  EXPECT_EQ(exp::read_stage_record(dir / "record.h5").tables.at("threshold").columns,
            (std::vector<std::string>{"iteration", "threshold"}));

  // A ragged table is refused when writing.
  exp::RunRecord bad = rec;
  bad.stages[0].tables["threshold"].rows.push_back({1.0});
  EXPECT_THROW(exp::write_results(bad, dir / "bad.h5"), std::invalid_argument);
}

TEST(StageRecords, ResourceSplitAndEnergySurviveResults) {
  test::TempDir dir;
  ir::Graph g = test::lenet5_graph();
  for (ir::Param& p : g.layer("fc1")->params) {
    p.format.precision = ir::Precision::kFixed;
    p.format.fixed = {4, 4};
  }
  exp::RunRecord rec = finished_record();
  rec.resources = train::profile(g);
  exp::write_results(rec, dir / "results.h5");
  const train::ResourceProfile back = exp::read_results(dir / "results.h5").resources;
  EXPECT_EQ(back.macs_int8, 400000);
  EXPECT_EQ(back.macs_fp32, rec.resources.macs_fp32);
  EXPECT_DOUBLE_EQ(back.energy_pj, rec.resources.energy_pj);
  EXPECT_DOUBLE_EQ(back.energy_weights_pj, rec.resources.energy_weights_pj);
  EXPECT_EQ(back.weight_memory, rec.resources.weight_memory);
  ASSERT_EQ(back.layers.size(), rec.resources.layers.size());
  for (size_t i = 0; i < back.layers.size(); ++i) {
    EXPECT_EQ(back.layers[i].mac_precision, rec.resources.layers[i].mac_precision);
    EXPECT_DOUBLE_EQ(back.layers[i].energy_pj, rec.resources.layers[i].energy_pj);
  }
}

TEST(StageRecords, DamagedStageGroupsAreRefusedNamingTheDataset) {
  test::TempDir dir;
  exp::RunRecord rec = finished_record();
  rec.stages = {sample_record()};
  exp::write_results(rec, dir / "results.h5");
  EXPECT_EQ(exp::read_results(dir / "results.h5").stages.size(), 1u);
  // A stage count that lies.
  {
    h5::File f = h5::File::create(dir / "lying.h5");
    f.set_attr("/", "slimlab_stage_record_version", int64_t(1));
    f.create_group("stages");
    f.set_attr("stages", "count", int64_t(3));
    f.commit();
  }
  slimlab::test::expect_error<data::DataError>([&] { exp::read_stage_record(dir / "lying.h5"); }, {"stages/0"});
  {
    h5::File f = h5::File::create(dir / "badrows.h5");
    f.set_attr("/", "slimlab_stage_record_version", int64_t(1));
    f.create_group("stages");
    f.set_attr("stages", "count", int64_t(1));
    f.create_group("stages/0");
    f.set_attr("stages/0", "type", std::string("x"));
    f.create_group("stages/0/tables");
    f.set_attr("stages/0/tables", "count", int64_t(1));
    f.create_group("stages/0/tables/0");
    f.set_attr("stages/0/tables/0", "name", std::string("t"));
    f.write_strings("stages/0/tables/0/columns", {"a", "b"});
    f.write("stages/0/tables/0/rows", std::vector<double>{1, 2, 3}, {1, 3});
    f.write_strings("stages/0/tables/0/row_labels", {});
    f.commit();
  }
  slimlab::test::expect_error<data::DataError>([&] { exp::read_stage_record(dir / "badrows.h5"); },
                                               {"stages/0/tables/0/rows"});
}

}  // namespace
}  // namespace slimlab
