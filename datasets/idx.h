#pragma once
// MNIST and Fashion-MNIST in their original IDX files (LeCun et al.).
//
// An IDX file is a 4-byte magic 00 00 <type> <ndims>, then ndims big-endian
// uint32 sizes, then the payload in row-major order. Images are type 0x08
// (unsigned byte) with 3 dims (count, rows, cols) — magic 2051; labels are
// unsigned bytes with 1 dim (count) — magic 2049. Files may be raw or gzipped;
// gzip is recognised by its magic bytes 1f 8b, not by the file name.
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/types.h"

namespace slimlab::data {

// Loads an image file and its label file into an ArraySet of shape {1, rows,
// cols}, values = pixel / 255 in [0, 1], groups = -1. class_names defaults to
// "0".."9". Throws DataError naming the file on a bad magic, absurd sizes, an
// image/label count mismatch, a payload shorter or longer than the sizes say,
// or a label outside class_names.
ArraySet load_idx(const std::filesystem::path& images, const std::filesystem::path& labels,
                  std::vector<std::string> class_names = {});

// Loads one split ("train" or "test") from a folder holding the files under
// their distributed names: train-images-idx3-ubyte[.gz] / train-labels-idx1-ubyte[.gz]
// and t10k-images-idx3-ubyte[.gz] / t10k-labels-idx1-ubyte[.gz] (the dotted
// variant "train-images.idx3-ubyte" found in some mirrors is accepted too).
// "all" loads both, each sample tagged with its given split (ArraySet::given_splits).
// fashion = true gives the Fashion-MNIST class names (T-shirt/top … Ankle boot).
ArraySet load_mnist_dir(const std::filesystem::path& dir, const std::string& split,
                        bool fashion = false);

// True when dir holds the image and label files of `split` ("train" or "test").
bool mnist_dir_has(const std::filesystem::path& dir, const std::string& split);

// True when dir holds an image file and a label file of at least one split.
bool looks_like_mnist_dir(const std::filesystem::path& dir);

// The ten Fashion-MNIST class names, in label order.
const std::vector<std::string>& fashion_mnist_class_names();

}  // namespace slimlab::data
