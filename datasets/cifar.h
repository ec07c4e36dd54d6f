#pragma once
// CIFAR-10, "binary version" (Krizhevsky 2009, cifar-10-binary.tar.gz).
//
// Each batch file is a run of 3073-byte records: one label byte (0..9), then
// the 32×32 image as three 1024-byte planes R, G, B, each row-major. That is
// already channel-major, so a record maps straight onto a {3, 32, 32} sample.
// The training split is data_batch_1.bin .. data_batch_5.bin (10,000 records
// each in the real data), the test split test_batch.bin.
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/types.h"

namespace slimlab::data {

// Loads split "train" (all five data_batch_N.bin, in order), "test"
// (test_batch.bin) or "all" (train then test). dir is the extracted
// cifar-10-batches-bin folder, or a folder that contains it. Values are
// pixel / 255 in [0, 1], groups = -1. Class names come from batches.meta.txt
// (one per line, blank lines ignored, exactly ten) when present, else the
// standard ten. Throws DataError naming the file for a missing batch, an empty
// file, a length that is not a multiple of 3073, a label above 9 (with its
// 0-based record index) or a meta file without ten names; std::invalid_argument
// for another split name.
ArraySet load_cifar10_dir(const std::filesystem::path& dir, const std::string& split);

// True when dir (or dir/cifar-10-batches-bin) holds data_batch_1.bin or test_batch.bin.
bool looks_like_cifar10_dir(const std::filesystem::path& dir);

// airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.
const std::vector<std::string>& cifar10_class_names();

}  // namespace slimlab::data
