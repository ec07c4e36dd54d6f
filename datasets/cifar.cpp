#include "datasets/cifar.h"

#include <array>
#include <cstdint>
#include <fstream>
#include <stdexcept>

#include "datasets/errors.h"

namespace slimlab::data {
namespace fs = std::filesystem;

namespace {

constexpr size_t kPlane = 32 * 32;
constexpr size_t kImage = 3 * kPlane;
constexpr size_t kRecord = 1 + kImage;  // label byte + R, G, B planes
// A batch is read whole; refuse a file far beyond the real ones (a sparse or hostile one).
constexpr uintmax_t kMaxBatchBytes = uintmax_t(1) << 30;

bool has_batches(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "data_batch_1.bin", ec) || fs::is_regular_file(dir / "test_batch.bin", ec);
}

// The folder that holds the .bin files: dir itself, or the folder the tarball
// extracts to when the user points at its parent.
fs::path batches_dir(const fs::path& dir) {
  std::error_code ec;
  if (!has_batches(dir) && fs::is_directory(dir / "cifar-10-batches-bin", ec)) return dir / "cifar-10-batches-bin";
  return dir;
}

std::vector<std::string> batch_names(const std::string& split) {
  std::vector<std::string> train;
  for (int i = 1; i <= 5; ++i) train.push_back("data_batch_" + std::to_string(i) + ".bin");
  if (split == "train") return train;
  if (split == "test") return {"test_batch.bin"};
  if (split == "all") {
    train.push_back("test_batch.bin");
    return train;
  }
  throw std::invalid_argument("CIFAR-10 split must be \"train\", \"test\" or \"all\", not \"" + split + "\"");
}

// batches.meta.txt: one class name per line, blank lines ignored.
std::vector<std::string> read_meta(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw DataError(path.string(), "cannot open file");
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const auto e = line.find_last_not_of(" \t\r");
    names.push_back(line.substr(b, e - b + 1));
  }
  if (names.size() != 10)
    throw DataError(path.string(), "expected 10 class names (one per line), found " + std::to_string(names.size()));
  return names;
}

// The length of a batch file, checked before anything is allocated for it.
uintmax_t batch_length(const fs::path& path) {
  std::error_code ec;
  const uintmax_t len = fs::file_size(path, ec);
  if (ec) throw DataError(path.string(), "cannot read file size: " + ec.message());
  if (len == 0) throw DataError(path.string(), "empty CIFAR-10 batch file");
  if (len > kMaxBatchBytes)
    throw DataError(path.string(), "length " + std::to_string(len) + " bytes is over the " +
                                       std::to_string(kMaxBatchBytes >> 20) + " MiB a batch may have (a real one holds " +
                                       "10,000 records: 30,730,000 bytes)");
  if (len % kRecord != 0)
    throw DataError(path.string(), "length " + std::to_string(len) + " bytes is not a multiple of the " +
                                       std::to_string(kRecord) + "-byte CIFAR-10 record (1 label + 3072 pixels); " +
                                       "is this the binary version, not the Python or MATLAB one?");
  return len;
}

std::vector<uint8_t> read_batch(const fs::path& path) {
  const uintmax_t len = batch_length(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string(), "cannot open file");
  std::vector<uint8_t> bytes(static_cast<size_t>(len));
  in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(len));
  if (uintmax_t(in.gcount()) != len)
    throw DataError(path.string(), "read " + std::to_string(in.gcount()) + " of " + std::to_string(len) + " bytes");
  return bytes;
}

}  // namespace

const std::vector<std::string>& cifar10_class_names() {
  static const std::vector<std::string> names = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                 "dog",      "frog",       "horse", "ship", "truck"};
  return names;
}

ArraySet load_cifar10_dir(const fs::path& dir_in, const std::string& split) {
  const auto names = batch_names(split);
  const fs::path dir = batches_dir(dir_in);

  std::vector<fs::path> files;
  std::string missing;
  for (const auto& n : names) {
    std::error_code ec;
    if (fs::is_regular_file(dir / n, ec))
      files.push_back(dir / n);
    else
      missing += (missing.empty() ? "" : ", ") + n;
  }
  if (!missing.empty())
    throw DataError(dir.string(), "CIFAR-10 " + split + " split is missing " + missing +
                                      " (expected the binary version: cifar-10-batches-bin)");

  ArraySet out;
  out.modality = Modality::kVision;
  out.sample_shape = {3, 32, 32};
  std::error_code ec;
  out.class_names = fs::is_regular_file(dir / "batches.meta.txt", ec) ? read_meta(dir / "batches.meta.txt")
                                                                     : cifar10_class_names();
  std::array<float, 256> to_unit{};
  for (int v = 0; v < 256; ++v) to_unit[size_t(v)] = float(v) / 255.0f;

  size_t total = 0;
  for (const auto& f : files) total += size_t(batch_length(f) / kRecord);
  out.reserve(total);
  for (const auto& f : files) {
    const std::vector<uint8_t> bytes = read_batch(f);
    const size_t records = bytes.size() / kRecord;
    const size_t first = out.labels.size();
    out.values.resize((first + records) * kImage);
    for (size_t r = 0; r < records; ++r) {
      const uint8_t* rec = bytes.data() + r * kRecord;
      if (rec[0] > 9)
        throw DataError(f.string(), "record " + std::to_string(r) + " has label " + std::to_string(rec[0]) +
                                        " (CIFAR-10 labels are 0..9)");
      out.labels.push_back(rec[0]);
      out.groups.push_back(-1);
      if (split == "all")  // both of the distributed splits: keep which one each image came from
        out.given_splits.push_back(f.filename().string().rfind("test", 0) == 0 ? GivenSplit::kTest
                                                                              : GivenSplit::kTrain);
      float* dst = out.values.data() + (first + r) * kImage;
      for (size_t k = 0; k < kImage; ++k) dst[k] = to_unit[rec[1 + k]];
    }
  }
  return out;
}

bool looks_like_cifar10_dir(const fs::path& dir) { return has_batches(batches_dir(dir)); }

}  // namespace slimlab::data
