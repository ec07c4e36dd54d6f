#include "datasets/wav.h"

#include <sndfile.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "datasets/errors.h"

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace slimlab::data {

namespace {

// ---- the whole file in memory, served to libsndfile as virtual I/O ----------

struct MemoryFile {
  const unsigned char* data = nullptr;
  sf_count_t size = 0;
  sf_count_t pos = 0;
};

sf_count_t mem_length(void* user) { return static_cast<MemoryFile*>(user)->size; }

sf_count_t mem_seek(sf_count_t offset, int whence, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : f->size;
  const sf_count_t to = base + offset;
  if (to < 0) return -1;
  f->pos = to;  // past the end is allowed, as for a file; reads there return 0
  return f->pos;
}

sf_count_t mem_read(void* out, sf_count_t count, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  if (count <= 0 || f->pos >= f->size) return 0;
  const sf_count_t n = std::min(count, f->size - f->pos);
  std::memcpy(out, f->data + f->pos, size_t(n));
  f->pos += n;
  return n;
}

sf_count_t mem_write(const void*, sf_count_t, void*) { return 0; }
sf_count_t mem_tell(void* user) { return static_cast<MemoryFile*>(user)->pos; }

// The whole file in one read: open, fstat, read, close — the fewest system
// calls per clip, which is what loading thousands of short clips costs.
std::vector<unsigned char> read_file_bytes(const std::filesystem::path& path) {
  const std::string name = path.string();
#if defined(_WIN32)
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(name.c_str(), "rb"), &std::fclose);
  if (!f) throw DataError(name, std::string("cannot open: ") + std::strerror(errno));
  if (std::fseek(f.get(), 0, SEEK_END) != 0) throw DataError(name, "cannot seek (not a regular file?)");
  const long size = std::ftell(f.get());
  if (size < 0) throw DataError(name, "cannot determine the file size");
  std::rewind(f.get());
#else
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DataError(name, std::string("cannot open: ") + std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw DataError(name, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw DataError(name, "not a regular file");
  const std::uintmax_t size = std::uintmax_t(st.st_size);
#endif
  if (std::uintmax_t(size) > kMaxWavFileBytes)
    throw DataError(name, "file is " + std::to_string(size) + " bytes; clips over " +
                              std::to_string(kMaxWavFileBytes >> 20) + " MiB are refused");
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
#if defined(_WIN32)
  if (size > 0 && std::fread(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
    throw DataError(name, "read error");
#else
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw DataError(name, std::string("read error: ") + std::strerror(errno));
    if (n == 0) break;  // shrank while reading
    got += size_t(n);
  }
  bytes.resize(got);
#endif
  return bytes;
}

uint32_t le32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint32_t be32(const unsigned char* p) {
  return uint32_t(p[3]) | uint32_t(p[2]) << 8 | uint32_t(p[1]) << 16 | uint32_t(p[0]) << 24;
}

std::string fourcc(const unsigned char* p) {
  std::string s;
  for (int i = 0; i < 4; ++i) s += (p[i] >= 32 && p[i] < 127) ? char(p[i]) : '?';
  return s;
}

// Checks the RIFF container before libsndfile sees it: the magic, and that no
// chunk up to and including "data" runs past the end of the file (a truncated
// download or copy). RF64/BW64 keep their sizes in a ds64 chunk; libsndfile
// checks those.
void check_riff(const std::string& name, const std::vector<unsigned char>& b) {
  const size_t n = b.size();
  if (n < 12) throw DataError(name, "not a WAV file: only " + std::to_string(n) + " bytes");
  const std::string magic = fourcc(b.data());
  const bool little = magic == "RIFF";
  if (!little && magic != "RIFX" && magic != "RF64" && magic != "BW64")
    throw DataError(name, "not a WAV file: starts with '" + magic + "', expected 'RIFF'");
  if (fourcc(b.data() + 8) != "WAVE")
    throw DataError(name, "not a WAV file: RIFF form type is '" + fourcc(b.data() + 8) + "', expected 'WAVE'");
  if (magic == "RF64" || magic == "BW64") return;
  size_t off = 12;
  while (off + 8 <= n) {
    const std::string id = fourcc(b.data() + off);
    const uint64_t size = little ? le32(b.data() + off + 4) : be32(b.data() + off + 4);
    const uint64_t left = n - (off + 8);
    if (id == "data") {
      // 0 and 0xFFFFFFFF are what streaming writers leave when they never patch the size.
      if (size != 0 && size != 0xFFFFFFFFu && size > left)
        throw DataError(name, "truncated: the data chunk declares " + std::to_string(size) +
                                  " bytes but only " + std::to_string(left) + " follow it");
      return;
    }
    if (size > left)
      throw DataError(name, "truncated: chunk '" + id + "' at byte " + std::to_string(off) + " declares " +
                                std::to_string(size) + " bytes but only " + std::to_string(left) +
                                " follow it");
    off += 8 + size + (size & 1);
  }
  throw DataError(name, "truncated or malformed: no data chunk");
}

struct SndfileCloser {
  void operator()(SNDFILE* s) const { sf_close(s); }
};

}  // namespace

WavClip read_wav(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::vector<unsigned char> bytes = read_file_bytes(path);
  check_riff(name, bytes);

  MemoryFile mem{bytes.data(), sf_count_t(bytes.size()), 0};
  SF_VIRTUAL_IO io{&mem_length, &mem_seek, &mem_read, &mem_write, &mem_tell};
  SF_INFO info{};
  std::unique_ptr<SNDFILE, SndfileCloser> sf(sf_open_virtual(&io, SFM_READ, &info, &mem));
  if (!sf) throw DataError(name, std::string("libsndfile cannot read it: ") + sf_strerror(nullptr));

  const int type = info.format & SF_FORMAT_TYPEMASK;
  if (type != SF_FORMAT_WAV && type != SF_FORMAT_WAVEX && type != SF_FORMAT_RF64) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%06X", unsigned(type));
    throw DataError(name, std::string("not a WAV file (libsndfile container ") + hex + ")");
  }
  if (info.channels < 1 || info.channels > kMaxWavChannels)
    throw DataError(name, "unsupported channel count " + std::to_string(info.channels) + " (1.." +
                              std::to_string(kMaxWavChannels) + ")");
  if (info.samplerate < 1 || info.samplerate > kMaxWavRateHz)
    throw DataError(name, "unsupported sample rate " + std::to_string(info.samplerate) + " Hz");
  if (info.frames <= 0) throw DataError(name, "no audio: the file has zero frames");
  // No codec libsndfile reads packs more than ~5 samples per byte (GSM 6.10),
  // so a frame count far beyond the file size is a corrupt header.
  const double samples = double(info.frames) * info.channels;
  if (samples > 8.0 * double(bytes.size()) || samples > double(int64_t(1) << 31))
    throw DataError(name, "header claims " + std::to_string(info.frames) + " frames × " +
                              std::to_string(info.channels) + " channels, absurd for a " +
                              std::to_string(bytes.size()) + "-byte file");

  WavClip clip;
  clip.channels = info.channels;
  clip.rate_hz = info.samplerate;
  clip.samples.resize(size_t(samples));
  const sf_count_t got = sf_readf_float(sf.get(), clip.samples.data(), info.frames);
  if (got != info.frames)
    throw DataError(name, "truncated or corrupt: decoded " + std::to_string(got) + " of " +
                              std::to_string(info.frames) + " frames (" + sf_strerror(sf.get()) + ")");
  for (size_t i = 0; i < clip.samples.size(); ++i)
    if (!std::isfinite(clip.samples[i]))
      throw DataError(name, "non-finite sample at frame " + std::to_string(i / size_t(clip.channels)));
  return clip;
}

void write_wav_pcm16(const std::filesystem::path& path, const std::vector<float>& interleaved, int channels,
                     int rate_hz) {
  if (channels <= 0) throw std::invalid_argument("write_wav_pcm16: channels must be positive");
  if (rate_hz <= 0) throw std::invalid_argument("write_wav_pcm16: rate_hz must be positive");
  if (interleaved.size() % size_t(channels) != 0)
    throw std::invalid_argument("write_wav_pcm16: " + std::to_string(interleaved.size()) +
                                " samples is not a multiple of " + std::to_string(channels) + " channels");
  SF_INFO info{};
  info.channels = channels;
  info.samplerate = rate_hz;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  std::unique_ptr<SNDFILE, SndfileCloser> sf(sf_open(path.c_str(), SFM_WRITE, &info));
  if (!sf) throw DataError(path.string(), std::string("cannot write WAV: ") + sf_strerror(nullptr));
  sf_command(sf.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
  const sf_count_t frames = sf_count_t(interleaved.size() / size_t(channels));
  if (frames > 0 && sf_writef_float(sf.get(), interleaved.data(), frames) != frames)
    throw DataError(path.string(), std::string("write failed: ") + sf_strerror(sf.get()));
}

}  // namespace slimlab::data
