#pragma once
// Files that are either whole or absent: every file SlimLab writes (results.h5,
// model.h5, checkpoints, caches, status and config files) is written to a
// temporary name beside its destination and renamed into place, so a crash or a
// kill -9 at any point leaves the previous version or nothing, never half a file.
//
// Fault injection (tests only): SLIMLAB_FAULT="point[@n][,point[@n]…]" sends the
// process SIGKILL on the n-th pass (default 1st) through fault_point(point), e.g.
// SLIMLAB_FAULT=checkpoint:before-rename@3 kills it while the third checkpoint is
// written but not yet in place; "point[@n]=hang" stops the process there forever
// instead (a hang, for the deadline of datasets/h5_guard.h). The points this file defines are
// "<kind>:mid-write" (the temporary file holds part of the data) and
// "<kind>:before-rename" (it holds all of it), with kind = h5, checkpoint, text.
#include <filesystem>
#include <string>

namespace slimlab::data {

// Kills the process with SIGKILL when SLIMLAB_FAULT names this pass through `point`.
void fault_point(const std::string& point);

// Replaces the plan read from SLIMLAB_FAULT (tests that fork a child to kill).
void set_fault_plan(const std::string& spec);

// The temporary name `path` is written under: path + ".tmp-<pid>".
std::filesystem::path temp_path_for(const std::filesystem::path& path);

// Moves the finished temporary file `tmp` onto `path` (fault point
// "<kind>:before-rename" first). On failure removes tmp and throws
// std::runtime_error naming path.
void commit_file(const std::filesystem::path& tmp, const std::filesystem::path& path, const std::string& kind);

// Writes `bytes` to `path` atomically: temporary file, fsync, rename. Throws
// std::runtime_error naming the file on any failure (the destination is untouched).
void write_file_atomic(const std::filesystem::path& path, const std::string& bytes, const std::string& kind = "text");

}  // namespace slimlab::data
