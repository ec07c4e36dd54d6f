#pragma once
// Reading HDF5 files that may be damaged or crafted (a run folder copied from a
// colleague, a model.h5 passed to `slimlab export`): libhdf5 (Debian's 1.10.8) is
// not hardened against hostile files — fuzzing found a SEGV in H5Dread and a heap
// overflow in an attribute lookup on files whose own checksums were consistent,
// and a variable-length string that makes H5Dread allocate 1.7 GB. SlimLab cannot
// make the library safe from outside, so it reads such files twice: first in a
// forked child with a memory cap, then, only when the child read the whole file
// cleanly, in the process itself. A crash, an abort or an oversized allocation in
// the child becomes a DataError naming the file; the caller never sees the file's
// contents (docs/RELIABILITY.md, "Untrusted HDF5").
#include <filesystem>
#include <functional>
#include <utility>

namespace slimlab::h5 {

// Runs `read` in a forked child (stderr silenced unless SLIMLAB_H5_PROBE_STDERR is
// set; address space capped at its current size + 512 MB + 8 × the file's size;
// killed after 20 s + 1 s per MB of file, or SLIMLAB_H5_PROBE_SECONDS).
// Returns when the child finished without error. Throws DataError when the child
// threw one (the same message), crashed, was killed, ran out of memory or out of
// time. Fault point "h5:probe" (SLIMLAB_FAULT) kills or hangs the child, for tests. When fork itself
// fails the file is read unguarded, as before this check existed.
void probe_in_child(const std::filesystem::path& path, const std::function<void()>& read);

// probe_in_child, then `read()` in this process: what every reader of a run's
// results.h5, stage record or model.h5 goes through.
template <typename Read>
auto read_guarded(const std::filesystem::path& path, Read&& read) {
  probe_in_child(path, [&] { (void)read(); });
  return read();
}

}  // namespace slimlab::h5
