#include "datasets/image_folder.h"

#include <cstring>
#include <stb/stb_image.h>
#include <zlib.h>

#include "slimrt/frontend.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "datasets/errors.h"

namespace slimlab::data {
namespace fs = std::filesystem;

namespace {

constexpr int kMaxSide = 16384;
constexpr int64_t kMaxPixels = int64_t(4096) * 4096;
constexpr uintmax_t kMaxFileBytes = uintmax_t(1) << 30;

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

bool is_hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

std::vector<fs::path> class_folders(const fs::path& root) {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory() && !is_hidden(e.path())) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return dirs;
}

std::vector<fs::path> images_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && is_image_file(e.path())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// A decoded image as planar float [0, 1], `channels` planes of h × w.
struct Image {
  int w = 0, h = 0, channels = 0;
  std::vector<float> planes;
};

std::vector<unsigned char> read_file(const fs::path& path) {
  std::error_code ec;
  const uintmax_t len = fs::file_size(path, ec);
  if (ec) throw DataError(path.string(), "cannot read file size: " + ec.message());
  if (len > kMaxFileBytes) throw DataError(path.string(), "image file larger than 1 GiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string(), "cannot open file");
  std::vector<unsigned char> bytes(static_cast<size_t>(len));
  in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(len));
  if (uintmax_t(in.gcount()) != len) throw DataError(path.string(), "short read");
  return bytes;
}

const char* stb_reason() {
  const char* r = stbi_failure_reason();
  return r ? r : "unknown reason";
}

// A PNG's chunks must lie inside the file: stb_image grows its IDAT buffer to the
// length a chunk claims before reading it (a 98-byte file claiming a 587 MB IDAT made it
// allocate that much — fuzz_image). "" when the layout is plausible or not a PNG.
std::string png_chunk_problem(const std::vector<unsigned char>& b) {
  static const unsigned char kSig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() < 8 || std::memcmp(b.data(), kSig, 8) != 0) return "";
  size_t at = 8;
  while (at + 12 <= b.size()) {
    const uint64_t len = (uint64_t(b[at]) << 24) | (uint64_t(b[at + 1]) << 16) | (uint64_t(b[at + 2]) << 8) | b[at + 3];
    const std::string type(reinterpret_cast<const char*>(&b[at + 4]), 4);
    if (len > b.size() - at - 12)
      return "PNG chunk '" + type + "' at byte " + std::to_string(at) + " claims " + std::to_string(len) +
             " bytes, more than the file holds";
    at += 12 + size_t(len);
    if (type == "IEND") return "";
  }
  return "";  // truncated after the last whole chunk: stb reports it
}

// A PNG's image data must inflate to at most the size its header implies, and end:
// Debian's stb_image reads zeros past the end of a truncated stream and keeps inflating
// (a 79-byte 9×1 PNG made it realloc 2 GB — fuzz_image). Checked here with zlib in 64 KB
// steps, before stb sees the file. "" when it holds or the file is not a PNG.
std::string png_stream_problem(const std::vector<unsigned char>& b) {
  if (b.size() < 33 || std::memcmp(b.data() + 12, "IHDR", 4) != 0) return "";
  auto be32 = [&](size_t at) {
    return (uint64_t(b[at]) << 24) | (uint64_t(b[at + 1]) << 16) | (uint64_t(b[at + 2]) << 8) | b[at + 3];
  };
  const uint64_t w = be32(16), h = be32(20), depth = b[24], colour = b[25], interlaced = b[28];
  const uint64_t channels = colour == 2 ? 3 : colour == 4 ? 2 : colour == 6 ? 4 : 1;
  const uint64_t raw = h * (1 + (w * channels * depth + 7) / 8);
  const uint64_t bound = interlaced ? 2 * raw + 64 : raw;  // Adam7 adds a filter byte per pass row
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return "";
  std::vector<unsigned char> out(size_t(1) << 16);
  uint64_t produced = 0;
  int rc = Z_OK;
  for (size_t at = 8; at + 12 <= b.size() && rc != Z_STREAM_END;) {  // chunk lengths checked before
    const size_t len = size_t(be32(at));
    if (std::memcmp(b.data() + at + 4, "IDAT", 4) == 0) {
      z.next_in = const_cast<unsigned char*>(b.data() + at + 8);
      z.avail_in = uInt(len);
      while (z.avail_in > 0 && rc == Z_OK && produced <= bound) {
        z.next_out = out.data();
        z.avail_out = uInt(out.size());
        rc = inflate(&z, Z_NO_FLUSH);
        produced += out.size() - z.avail_out;
      }
      if (rc != Z_OK && rc != Z_STREAM_END) break;
    }
    at += 12 + len;
  }
  inflateEnd(&z);
  if (produced > bound)
    return "PNG image data inflates past the " + std::to_string(bound) + " bytes its " + std::to_string(w) + "×" +
           std::to_string(h) + " header implies";
  if (rc != Z_STREAM_END) return "PNG image data ends inside its compressed stream (truncated or damaged)";
  return "";
}

// Decodes to `want` channels (0: the image's own, 1 or 3).
Image decode(const fs::path& path, int want) {
  const std::vector<unsigned char> bytes = read_file(path);
  if (bytes.empty()) throw DataError(path.string(), "cannot decode image: empty file");
  int w = 0, h = 0, comp = 0;
  // Check the header before decoding so a forged size cannot make stb allocate gigabytes.
  if (!stbi_info_from_memory(bytes.data(), int(bytes.size()), &w, &h, &comp))
    throw DataError(path.string(), std::string("cannot decode image: ") + stb_reason());
  if (const std::string why = png_chunk_problem(bytes); !why.empty())
    throw DataError(path.string(), "cannot decode image: " + why);
  if (const std::string why = png_stream_problem(bytes); !why.empty())
    throw DataError(path.string(), "cannot decode image: " + why);
  if (w <= 0 || h <= 0 || w > kMaxSide || h > kMaxSide)
    throw DataError(path.string(), "image is " + std::to_string(w) + "×" + std::to_string(h) +
                                       ", over the limit of " + std::to_string(kMaxSide) + " pixels a side");
  // A few hundred bytes of JPEG can claim 12,000 × 12,000 pixels: stb would decode them
  // and the float planes would take 4 bytes per pixel and channel on top (fuzz_image).
  if (int64_t(w) * int64_t(h) > kMaxPixels)
    throw DataError(path.string(), "image is " + std::to_string(w) + "×" + std::to_string(h) + " = " +
                                       std::to_string(int64_t(w) * int64_t(h)) + " pixels, over the limit of " +
                                       std::to_string(kMaxPixels) + " (4096×4096); resize it first");
  std::unique_ptr<unsigned char, void (*)(void*)> px(
      stbi_load_from_memory(bytes.data(), int(bytes.size()), &w, &h, &comp, 0), stbi_image_free);
  if (!px) throw DataError(path.string(), std::string("cannot decode image: ") + stb_reason());

  // comp: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. Alpha is dropped.
  const int own = comp <= 2 ? 1 : 3;
  Image img;
  img.w = w;
  img.h = h;
  img.channels = want == 0 ? own : want;
  const size_t n = size_t(w) * size_t(h);
  img.planes.resize(n * size_t(img.channels));
  const unsigned char* p = px.get();
  for (size_t i = 0; i < n; ++i, p += comp) {
    if (own == 1) {
      const float g = float(p[0]) / 255.0f;
      for (int c = 0; c < img.channels; ++c) img.planes[size_t(c) * n + i] = g;
    } else if (img.channels == 3) {
      for (int c = 0; c < 3; ++c) img.planes[size_t(c) * n + i] = float(p[c]) / 255.0f;
    } else {
      img.planes[i] = (0.299f * float(p[0]) + 0.587f * float(p[1]) + 0.114f * float(p[2])) / 255.0f;
    }
  }
  return img;
}

// Writes img resized to size × size into dst (channels planes).
void resize_into(const Image& img, int size, float* dst) {
  // slimrt's taps: the device front end resizes exactly as training did.
  const auto tx = slimrt::frontend::image_taps(img.w, size), ty = slimrt::frontend::image_taps(img.h, size);
  const size_t n = size_t(img.w) * size_t(img.h);
  for (int c = 0; c < img.channels; ++c) {
    const float* src = img.planes.data() + size_t(c) * n;
    for (int y = 0; y < size; ++y) {
      const slimrt::frontend::ImageTap& a = ty[size_t(y)];
      const float* r0 = src + size_t(a.i0) * size_t(img.w);
      const float* r1 = src + size_t(a.i1) * size_t(img.w);
      for (int x = 0; x < size; ++x) {
        const slimrt::frontend::ImageTap& b = tx[size_t(x)];
        const float top = r0[b.i0] + (r0[b.i1] - r0[b.i0]) * b.f;
        const float bot = r1[b.i0] + (r1[b.i1] - r1[b.i0]) * b.f;
        *dst++ = top + (bot - top) * a.f;
      }
    }
  }
}

}  // namespace

namespace {

// "train" / "val" / "test" (and their usual spellings) → the split; anything else → kNone.
GivenSplit split_named(const fs::path& dir) {
  std::string n = dir.filename().string();
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (n == "train" || n == "training") return GivenSplit::kTrain;
  if (n == "val" || n == "valid" || n == "validation" || n == "dev") return GivenSplit::kVal;
  if (n == "test" || n == "testing") return GivenSplit::kTest;
  return GivenSplit::kNone;
}

struct Part {
  GivenSplit tag = GivenSplit::kNone;
  fs::path dir;  // holds one folder per class
};

// root/train/<class>/…, root/test/<class>/… (a given split) or root/<class>/…; a
// layout in between is an error that says what to do.
std::vector<Part> split_parts(const fs::path& root, const std::vector<fs::path>& top) {
  std::vector<std::string> named, other;
  bool nested = true;
  for (const auto& d : top) {
    (split_named(d) == GivenSplit::kNone ? other : named).push_back(d.filename().string());
    if (split_named(d) != GivenSplit::kNone && class_folders(d).empty()) nested = false;
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "'" : ", '") + x + "'";
    return s;
  };
  if (named.empty()) return {{GivenSplit::kNone, root}};
  if (!nested)
    throw DataError(root.string(), "folder(s) " + list(named) +
                                       " are named like dataset splits but hold images directly, so they would "
                                       "become classes; lay the images out as " + root.string() +
                                       "/train/<class>/… and " + root.string() +
                                       "/test/<class>/… to use them as the given split, or rename the folders if "
                                       "they really are classes");
  if (!other.empty())
    throw DataError(root.string(), "mixes split folders (" + list(named) + ") with other folders (" + list(other) +
                                       "); keep only train/, val/ and test/ (each with one folder per class)");
  std::vector<Part> parts;
  for (const auto& d : top) parts.push_back({split_named(d), d});
  return parts;
}

struct Item {
  fs::path file;
  int32_t label = 0;
  GivenSplit tag = GivenSplit::kNone;
};

}  // namespace

ArraySet load_image_folder(const fs::path& root, const ImageFolderOptions& opt) {
  if (opt.size < 0 || opt.size > 4096)
    throw std::invalid_argument("ImageFolderOptions::size must be 0 (keep) or 1..4096, not " +
                                std::to_string(opt.size));
  if (opt.channels != 0 && opt.channels != 1 && opt.channels != 3)
    throw std::invalid_argument("ImageFolderOptions::channels must be 0, 1 or 3, not " +
                                std::to_string(opt.channels));
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw DataError(root.string(), "not a folder");

  ArraySet out;
  out.modality = Modality::kVision;
  std::vector<Item> items;
  bool given = false;
  try {
    const std::vector<fs::path> top = class_folders(root);
    if (top.empty()) throw DataError(root.string(), "no class folders: expected one subfolder of images per class");
    const std::vector<Part> parts = split_parts(root, top);
    given = parts.front().tag != GivenSplit::kNone;
    for (const Part& part : parts)  // class names: every class folder of every split, sorted
      for (const auto& dir : class_folders(part.dir)) out.class_names.push_back(dir.filename().string());
    std::sort(out.class_names.begin(), out.class_names.end());
    out.class_names.erase(std::unique(out.class_names.begin(), out.class_names.end()), out.class_names.end());
    for (const Part& part : parts)
      for (const auto& dir : class_folders(part.dir)) {
        const std::vector<fs::path> files = images_in(dir);
        if (files.empty()) throw DataError(dir.string(), "class folder has no .png, .jpg or .jpeg images");
        const auto label = std::lower_bound(out.class_names.begin(), out.class_names.end(), dir.filename().string());
        for (const auto& f : files) items.push_back({f, int32_t(label - out.class_names.begin()), part.tag});
      }
  } catch (const fs::filesystem_error& e) {
    throw DataError(e.path1().string(), std::string("cannot list folder: ") + e.code().message());
  }

  fs::path first_path;
  for (const Item& item : items) {
    const fs::path& f = item.file;
    const Image img = decode(f, out.sample_shape.empty() ? opt.channels : int(out.sample_shape[0]));
    if (out.sample_shape.empty()) {
      first_path = f;
      const int side_h = opt.size ? opt.size : img.h, side_w = opt.size ? opt.size : img.w;
      out.sample_shape = {img.channels, side_h, side_w};
      out.reserve(items.size());
    } else if (opt.size == 0 && (img.w != out.sample_shape[2] || img.h != out.sample_shape[1])) {
      throw DataError(f.string(), "image is " + std::to_string(img.w) + "×" + std::to_string(img.h) +
                                      " but the first image (" + first_path.string() + ") is " +
                                      std::to_string(out.sample_shape[2]) + "×" +
                                      std::to_string(out.sample_shape[1]) + "; set a size to resize every image");
    }
    const size_t at = out.values.size();
    out.values.resize(at + size_t(out.sample_numel()));
    if (opt.size == 0 || (img.w == opt.size && img.h == opt.size))
      std::copy(img.planes.begin(), img.planes.end(), out.values.begin() + long(at));
    else
      resize_into(img, opt.size, out.values.data() + at);
    out.labels.push_back(item.label);
    out.groups.push_back(-1);
    if (given) out.given_splits.push_back(item.tag);
  }
  return out;
}

bool looks_like_image_folder(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return false;
  int budget = 10000;  // entries to look at before giving up on a huge non-image tree
  for (const auto& dir : fs::directory_iterator(root, ec)) {
    if (!dir.is_directory(ec) || is_hidden(dir.path())) continue;
    for (auto it = fs::recursive_directory_iterator(dir.path(), ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (--budget < 0) return false;
      if (it->is_regular_file(ec) && is_image_file(it->path())) return true;
    }
  }
  return false;
}

}  // namespace slimlab::data
