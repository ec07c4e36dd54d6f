#pragma once
// The HDF5 cache of preprocessed tensors. One file holds the train/val/test
// tensors, labels, groups, class/group/channel names, the normalisation
// statistics and, as attributes, the source, its file fingerprint and every
// preprocessing parameter. A cache is reused only when all of those match;
// otherwise it is rebuilt. Files are written to a temporary name and renamed, so
// a failure (bad input, a kill) never leaves a half-written cache.
//
// Layout:
//   /                attrs: slimlab_cache_version, cache_key, modality, format, fingerprint,
//                           split_method, unit, items, rate_hz, param.<key> for each parameter
//   /classes /groups /channels /notes      string lists
//   /class_counts                          items per class before splitting
//   /normalization/mean, /normalization/std   (attr axis)
//   /<split>/x  [N, ...sample_shape] float32   /<split>/y  [N] int32   /<split>/group [N] int32
#include <filesystem>
#include <string>

#include "datasets/pipeline.h"

namespace slimlab::data {

constexpr int kCacheVersion = 1;

// The string that must match for a cache to be reused.
std::string cache_key(const PreparedData& d);

void write_cache(const PreparedData& d, const std::filesystem::path& path);
PreparedData read_cache(const std::filesystem::path& path);

// Reads the cache at `path` when it was built from the same source files with the
// same parameters; otherwise runs prepare() and writes it. `reason` (optional)
// says why a cache was rebuilt ("no cache", "parameter window_seconds changed", …).
PreparedData load_or_build(const DatasetConfig& config, const std::filesystem::path& path,
                           std::string* reason = nullptr);

}  // namespace slimlab::data
