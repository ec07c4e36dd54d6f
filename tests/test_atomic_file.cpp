// Files are whole or absent: a kill -9 at a fault point leaves the previous
// version in place and no temporary file that a reader could take for the real one.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iterator>

#include "datasets/atomic_file.h"
#include "datasets/h5.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace slimlab::data;
using slimlab::test::TempDir;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Runs fn in a forked child with the fault plan `spec`; returns the signal that
// ended it (0 when it exited normally).
template <class F>
int killed_by(const std::string& spec, F&& fn) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    set_fault_plan(spec);
    fn();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

}  // namespace

TEST(AtomicFile, WritesAndReplaces) {
  TempDir t;
  write_file_atomic(t / "a/b.txt", "first");
  write_file_atomic(t / "a/b.txt", "second");
  EXPECT_EQ(read_all(t / "a/b.txt"), "second");
  for (const auto& e : fs::directory_iterator(t / "a")) EXPECT_EQ(e.path().filename(), "b.txt");
}

TEST(AtomicFile, KillMidWriteOrBeforeRenameKeepsThePreviousVersion) {
  TempDir t;
  write_file_atomic(t / "f.bin", "old");
  const std::string big(300000, 'x');  // several write() calls, so mid-write really is mid-file
  for (const char* point : {"text:mid-write", "text:before-rename"}) {
    EXPECT_EQ(killed_by(point, [&] { write_file_atomic(t / "f.bin", big); }), SIGKILL) << point;
    EXPECT_EQ(read_all(t / "f.bin"), "old") << point;
  }
  // The second pass of a point: the first write lands, the second is killed.
  EXPECT_EQ(killed_by("text:before-rename@2",
                      [&] {
                        write_file_atomic(t / "f.bin", "one");
                        write_file_atomic(t / "f.bin", "two");
                      }),
            SIGKILL);
  EXPECT_EQ(read_all(t / "f.bin"), "one");
  EXPECT_EQ(killed_by("", [&] { write_file_atomic(t / "f.bin", "three"); }), 0);
  EXPECT_EQ(read_all(t / "f.bin"), "three");
}

TEST(AtomicFile, KilledHdf5WriteLeavesTheOldFileReadable) {
  TempDir t;
  const fs::path p = t / "results.h5";
  {
    slimlab::h5::File f = slimlab::h5::File::create(p);
    f.set_attr("/", "version", std::string("one"));
    f.commit();
  }
  for (const char* point : {"h5:mid-write", "h5:before-rename"}) {
    EXPECT_EQ(killed_by(point,
                        [&] {
                          slimlab::h5::File f = slimlab::h5::File::create(p);
                          f.set_attr("/", "version", std::string("two"));
                          f.commit();
                        }),
              SIGKILL)
        << point;
    slimlab::h5::File r = slimlab::h5::File::open_read(p);
    EXPECT_EQ(r.attr_string("/", "version").value_or("?"), "one") << point;
  }
}

// ---- sealed files (checkpoints) ---------------------------------------------

#include "datasets/errors.h"
#include "datasets/sealed_file.h"

TEST(SealedFile, Crc32cKnownValue) {
  // The CRC-32C check value from RFC 3720 (iSCSI): "123456789" → 0xE3069283.
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
}

TEST(SealedFile, RoundTripAndEveryFlippedBitIsCaught) {
  TempDir t;
  std::string payload;
  for (int i = 0; i < 500; ++i) payload.push_back(char(i * 7));
  write_sealed_file(t / "c.pt", payload, "checkpoint");
  const SealedRead r = read_sealed_file(t / "c.pt");
  EXPECT_TRUE(r.sealed);
  EXPECT_EQ(r.payload, payload);
  const std::string file = read_all(t / "c.pt");
  int caught = 0, unsealed = 0;
  for (size_t at = 0; at < file.size(); ++at) {
    std::string b = file;
    b[at] = char(b[at] ^ 0x10);
    std::ofstream(t / "x.pt", std::ios::binary | std::ios::trunc) << b;
    try {
      const SealedRead x = read_sealed_file(t / "x.pt");
      EXPECT_FALSE(x.sealed) << "byte " << at << " flipped was accepted as sealed";  // only a flipped magic
      ++unsealed;
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("x.pt"), std::string::npos);
      ++caught;
    }
  }
  EXPECT_EQ(unsealed, 8);  // the 8 magic bytes: then it reads as an old, unsealed file
  EXPECT_EQ(caught, int(file.size()) - 8);
  // Truncation.
  std::ofstream(t / "y.pt", std::ios::binary | std::ios::trunc) << file.substr(0, file.size() - 3);
  EXPECT_FALSE(read_sealed_file(t / "y.pt").sealed);
  // A file written before seals reads whole.
  std::ofstream(t / "old.pt", std::ios::binary) << payload;
  const SealedRead old = read_sealed_file(t / "old.pt");
  EXPECT_FALSE(old.sealed);
  EXPECT_EQ(old.payload, payload);
}
