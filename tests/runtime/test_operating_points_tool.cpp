// Operating points from the outside: damaged merged files are refused or run without a
// fault at every point (checksums off, so the point checks face the damage), and
// slimrt-run lists the points (`describe`, one `operating point` line each) and runs
// any of them (--point NAME|INDEX).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "mutation.h"
#include "points_test_models.h"

namespace slimrt {
namespace {

TEST(OperatingPointsDamage, MutatedFilesAreRefusedOrRunAtEveryPoint) {
  test::SlimMlp net;
  const std::vector<uint8_t> good = test::merged_mlp(net, nullptr);
  const std::vector<size_t> fields = test::size_fields(good);
  LoadOptions o;
  o.verify_checksums = false;
  o.log = [](const std::string&) {};
  std::mt19937 rng{17};
  int rejected = 0, ran = 0;
  for (int i = 0; i < 1500; ++i) {
    const std::vector<uint8_t> bad = test::mutate(good, fields, i % 4, rng);
    try {
      auto m = Model::from_memory(bad.data(), bad.size(), true, o);
      Interpreter in(m);
      std::vector<float> x(size_t(in.input(0).numel), 0.5f), y(size_t(in.output(0).numel));
      for (size_t p = 0; p < in.num_operating_points(); ++p) {
        in.set_operating_point(p);
        in.set_input(0, x.data(), x.size());
        in.invoke();
        in.get_output(0, y.data(), y.size());
      }
      ++ran;
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_EQ(rejected + ran, 1500);
}

#ifdef SLIMRT_RUN_BIN
struct Tool {
  int status = -1;
  std::string out;
};

Tool slimrt_run(const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path() / ("slimrt_points_tool_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string log = (dir / "out.txt").string();
  const char* emu = std::getenv("SLIMRT_TEST_EMULATOR");
  const int st = std::system((std::string(emu ? emu : "") + " " + SLIMRT_RUN_BIN + " " + args + " > " + log + " 2>&1").c_str());
  std::ifstream f(log);
  Tool t;
  t.out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  t.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return t;
}

TEST(OperatingPointsTool, DescribeRunBench) {
  test::SlimMlp net;
  const auto dir = std::filesystem::temp_directory_path() / ("slimrt_points_tool_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string model = (dir / "mlp.slim").string(), input = (dir / "x.f32").string();
  ModelWriter::write_bytes(model, test::merged_mlp(net, nullptr));
  const std::vector<float> x = test::random_values(test::SlimMlp::kIn, 4);
  std::ofstream(input, std::ios::binary).write(reinterpret_cast<const char*>(x.data()), std::streamsize(x.size() * 4));

  Tool d = slimrt_run("describe " + model);
  ASSERT_EQ(d.status, 0) << d.out;
  EXPECT_NE(d.out.find("operating point 0 width_8"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("operating point 2 width_32"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("(main graph)  <- shown below"), std::string::npos) << d.out;
  d = slimrt_run("describe " + model + " --point width_16");
  EXPECT_NE(d.out.find("f32[16]"), std::string::npos) << d.out;  // that point's ops

  // run at each point prints that point's own model's scores.
  for (int p = 0; p < 3; ++p) {
    const Tool r = slimrt_run("run " + model + " " + input + " --point " + std::to_string(p));
    ASSERT_EQ(r.status, 0) << r.out;
    const int hidden = 8 << p;
    const auto alone = test::load_bytes(net.at(hidden).finish());
    Interpreter in(alone);
    in.set_input(0, x.data(), x.size());
    in.invoke();
    std::vector<float> y(4);
    in.get_output(0, y.data(), y.size());
    char line[64];
    std::snprintf(line, sizeof line, "0\ta\t%.6g\n", double(y[0]));
    EXPECT_NE(r.out.find(line), std::string::npos) << "point " << p << ":\n" << r.out;
  }
  const Tool b = slimrt_run("bench " + model + " --point width_8 --runs 5 --warmup 1");
  EXPECT_EQ(b.status, 0) << b.out;
  EXPECT_NE(b.out.find("operating_point width_8"), std::string::npos) << b.out;
  const Tool bad = slimrt_run("run " + model + " " + input + " --point width_99");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("no operating point 'width_99' (the model has 3: width_8, width_16, width_32)"), std::string::npos)
      << bad.out;
  std::filesystem::remove_all(dir);
}
#endif

}  // namespace
}  // namespace slimrt
