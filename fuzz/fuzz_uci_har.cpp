// UCI HAR (datasets/har_formats.h): input = 12 files separated by @@FILE@@, in
// this order: activity_labels.txt, test/y_test.txt, test/subject_test.txt, then the
// nine test/Inertial Signals/*_test.txt files in the loader's channel order.
#include <cstdint>

#include "datasets/har_formats.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static slimlab::fuzz::Scratch scratch;
  static const char* const kSignals[] = {"total_acc_x", "total_acc_y", "total_acc_z", "body_gyro_x", "body_gyro_y",
                                         "body_gyro_z", "body_acc_x",  "body_acc_y",  "body_acc_z"};
  auto parts = slimlab::fuzz::split_files(data, size, 12);
  const auto& dir = scratch.fresh();
  std::vector<std::filesystem::path> files = {dir / "activity_labels.txt", dir / "test" / "y_test.txt",
                                              dir / "test" / "subject_test.txt"};
  for (const char* s : kSignals) files.push_back(dir / "test" / "Inertial Signals" / (std::string(s) + "_test.txt"));
  for (size_t i = 0; i < parts.size(); ++i) slimlab::fuzz::write_file(files[i], parts[i]);
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::load_uci_har(dir, "test"); });
  return 0;
}
