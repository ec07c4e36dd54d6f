#include "datasets/audio_folder.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <exception>
#include <fstream>
#include <set>
#include <map>
#include <stdexcept>
#include <thread>

#include "datasets/errors.h"
#include "datasets/resample.h"
#include "datasets/wav.h"

namespace slimlab::data {

namespace fs = std::filesystem;

namespace {

const char* const kBackgroundNoise = "_background_noise_";

// "a2" < "a10": runs of digits compare by value, everything else byte-wise.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])), db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      size_t is = i, js = j;  // skip leading zeros, then longer means larger
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      const int c = a.compare(is, ie - is, b, js, je - js);
      if (c != 0) return c < 0;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;  // "01" vs "1": equal by value, ordered byte-wise for determinism
}

bool is_wav(const fs::directory_entry& e) {
  std::error_code ec;
  if (!e.is_regular_file(ec)) return false;
  const std::string ext = e.path().extension().string();
  return ext.size() == 4 && ext[0] == '.' && std::tolower(static_cast<unsigned char>(ext[1])) == 'w' &&
         std::tolower(static_cast<unsigned char>(ext[2])) == 'a' &&
         std::tolower(static_cast<unsigned char>(ext[3])) == 'v';
}

bool skipped_folder(const std::string& name) { return name == kBackgroundNoise || name.empty() || name[0] == '.'; }

std::vector<fs::path> wav_files_in(const fs::path& dir) {
  std::vector<std::pair<std::string, fs::path>> named;  // (file name, path): sort keys built once
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (is_wav(*it)) named.emplace_back(it->path().filename().string(), it->path());
  if (ec) throw DataError(dir.string(), "cannot list the folder: " + ec.message());
  std::sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return natural_less(a.first, b.first); });
  std::vector<fs::path> files;
  files.reserve(named.size());
  for (auto& [name, path] : named) files.push_back(std::move(path));
  return files;
}

bool has_wav(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (is_wav(*it)) return true;
  return false;
}

std::vector<fs::path> class_folders(const fs::path& root) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (it->is_directory(ec2) && !skipped_folder(it->path().filename().string())) dirs.push_back(it->path());
  }
  if (ec) throw DataError(root.string(), "cannot list the folder: " + ec.message());
  std::sort(dirs.begin(), dirs.end(),
            [](const fs::path& a, const fs::path& b) { return natural_less(a.filename().string(), b.filename().string()); });
  return dirs;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < 12; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > 12) s += ", … (" + std::to_string(v.size()) + " in all)";
  return s;
}

std::string rate_text(double hz) {
  const double r = std::round(hz);
  return std::fabs(hz - r) < 1e-9 ? std::to_string(int64_t(r)) : std::to_string(hz);
}

struct Item {
  fs::path path;
  std::string label;
  std::string group;
};

struct Decoded {
  int channels = 1;
  double rate_hz = 0;
};

// One clip → mono at rate_hz in `out`.
Decoded decode(const Item& item, const AudioFolderOptions& opt, std::vector<float>& out) {
  WavClip clip = read_wav(item.path);
  Decoded d{clip.channels, clip.rate_hz};
  if (opt.strict && (clip.channels != 1 || clip.rate_hz != opt.rate_hz))
    throw DataError(item.path.string(), "is " + std::to_string(clip.channels) + "-channel at " +
                                            rate_text(clip.rate_hz) + " Hz, but strict loading asks for mono at " +
                                            rate_text(opt.rate_hz) + " Hz");
  std::vector<float> mono = clip.channels == 1 ? std::move(clip.samples) : mix_to_mono(clip.samples, clip.channels);
  if (clip.rate_hz == opt.rate_hz) {
    out = std::move(mono);
    return d;
  }
  // A header's sample rate is untrusted: upsampling a 10 Hz "recording" to 8 kHz makes
  // 800 samples of every one (a 7 KB file took 26 s under ASan; a 2.6 MB one would
  // allocate 4 GB). No audio recording needs more than 16× (500 Hz → 8 kHz).
  if (double(opt.rate_hz) > 16.0 * double(clip.rate_hz))
    throw DataError(item.path.string(), "sample rate " + rate_text(clip.rate_hz) + " Hz is too low to resample to " +
                                            rate_text(opt.rate_hz) + " Hz (at most 16× upsampling; is it an audio recording?)");
  try {
    out = resample(mono, clip.rate_hz, opt.rate_hz);
  } catch (const std::invalid_argument& e) {  // e.g. a 1 Hz header asking for a 10⁴× upsampling
    throw DataError(item.path.string(), std::string("cannot resample: ") + e.what());
  }
  return d;
}

std::vector<Item> items_from_file_names(const fs::path& root) {
  std::vector<Item> items;
  for (const fs::path& p : wav_files_in(root)) {
    const std::string stem = p.stem().string();
    const size_t a = stem.find('_'), b = stem.rfind('_');
    const bool ok = a != std::string::npos && a > 0 && b > a + 1 && b + 1 < stem.size() &&
                    std::all_of(stem.begin() + long(b) + 1, stem.end(),
                                [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (!ok)
      throw DataError(p.string(), "file name does not match {label}_{speaker}_{index}.wav "
                                  "(e.g. 7_jackson_32.wav); for one folder per class use the subfolder layout");
    items.push_back({p, stem.substr(0, a), stem.substr(a + 1, b - a - 1)});
  }
  return items;
}

std::vector<Item> items_from_subfolders(const fs::path& root) {
  std::vector<Item> items;
  for (const fs::path& dir : class_folders(root)) {
    std::vector<fs::path> files = wav_files_in(dir);
    if (files.empty()) throw DataError(dir.string(), "class folder has no .wav files");
    const std::string label = dir.filename().string();
    for (fs::path& p : files) {
      const std::string stem = p.stem().string();
      const size_t cut = stem.find("_nohash_");
      items.push_back({std::move(p), label, cut == std::string::npos ? "" : stem.substr(0, cut)});
    }
  }
  return items;
}

// Speech Commands ships its split as two lists of relative paths
// ("right/a69b9b3e_nohash_0.wav"); every clip in neither is a training clip.
// Returns false when root has neither list.
bool apply_split_lists(const fs::path& root, RecordingSet& set) {
  std::set<std::string> val, test;
  bool any = false;
  for (auto [name, dest] : {std::pair<const char*, std::set<std::string>*>{"validation_list.txt", &val},
                            {"testing_list.txt", &test}}) {
    const fs::path list = root / name;
    std::error_code ec;
    if (!fs::is_regular_file(list, ec)) continue;
    any = true;
    std::ifstream in(list);
    if (!in) throw DataError(list.string(), "cannot open file");
    std::string line;
    while (std::getline(in, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty()) dest->insert(line);
    }
  }
  if (!any) return false;
  if (!fs::exists(root / "testing_list.txt")) {
    set.notes.push_back("validation_list.txt without testing_list.txt: no given split, the clips are split as usual");
    return false;
  }
  size_t nval = 0, ntest = 0;
  for (Recording& r : set.recordings) {
    const std::string rel = fs::path(r.source).lexically_relative(root).generic_string();
    r.given_split = test.count(rel) ? GivenSplit::kTest : val.count(rel) ? GivenSplit::kVal : GivenSplit::kTrain;
    nval += r.given_split == GivenSplit::kVal;
    ntest += r.given_split == GivenSplit::kTest;
  }
  set.notes.push_back("given split from validation_list.txt / testing_list.txt: " + std::to_string(nval) +
                      " validation and " + std::to_string(ntest) + " test clips, the rest training");
  return true;
}

}  // namespace

bool looks_like_audio_folder(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return false;
  if (has_wav(root)) return true;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (it->is_directory(ec2) && !skipped_folder(it->path().filename().string()) && has_wav(it->path())) return true;
  }
  return false;
}

RecordingSet load_audio_folder(const fs::path& root, const AudioFolderOptions& opt) {
  if (!(opt.rate_hz > 0) || !std::isfinite(opt.rate_hz))
    throw std::invalid_argument("AudioFolderOptions.rate_hz must be positive, got " + std::to_string(opt.rate_hz));
  for (size_t i = 0; i < opt.class_names.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (opt.class_names[i] == opt.class_names[j])
        throw std::invalid_argument("AudioFolderOptions.class_names lists '" + opt.class_names[i] + "' twice");
  std::error_code ec;
  if (!fs::exists(root, ec)) throw DataError(root.string(), "no such folder");
  if (!fs::is_directory(root, ec)) throw DataError(root.string(), "not a folder");

  RecordingSet set;
  set.modality = Modality::kAudio;
  set.channel_names = {"mic"};

  bool by_folder = opt.label_from == LabelFrom::kSubfolder;
  if (opt.label_from == LabelFrom::kAuto) {
    by_folder = false;
    for (const fs::path& dir : class_folders(root))
      if (has_wav(dir)) {
        by_folder = true;
        break;
      }
  }
  std::vector<Item> items = by_folder ? items_from_subfolders(root) : items_from_file_names(root);
  if (items.empty())
    throw DataError(root.string(), by_folder ? "no class folders with .wav files"
                                             : "no .wav files (expected {label}_{speaker}_{index}.wav)");
  if (by_folder) {
    const size_t loose = wav_files_in(root).size();
    if (loose > 0)
      set.notes.push_back(std::to_string(loose) + " .wav files directly in " + root.string() +
                          " were ignored (one folder per class layout)");
  }

  // Label indices: the given list, or the labels found in natural order.
  set.class_names = opt.class_names;
  if (set.class_names.empty()) {
    for (const Item& it : items) set.class_names.push_back(it.label);
    std::sort(set.class_names.begin(), set.class_names.end(), natural_less);
    set.class_names.erase(std::unique(set.class_names.begin(), set.class_names.end()), set.class_names.end());
  }
  std::map<std::string, int> index;
  for (size_t i = 0; i < set.class_names.size(); ++i) index[set.class_names[i]] = int(i);
  std::vector<int> labels(items.size());
  std::vector<int64_t> per_class(set.class_names.size(), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    auto f = index.find(items[i].label);
    if (f == index.end()) {
      const fs::path& culprit = by_folder ? items[i].path.parent_path() : items[i].path;
      throw DataError(culprit.string(), "label '" + items[i].label + "' is not one of the given class_names (" +
                                            join(opt.class_names) + ")");
    }
    labels[i] = f->second;
    ++per_class[size_t(f->second)];
  }
  // With subfolders, items are grouped by folder name order; re-order them by
  // class index so the given class_names order is the recording order.
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (by_folder)
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return labels[a] < labels[b]; });

  // Decode on several threads; slot i belongs to recording i.
  const size_t n = items.size();
  set.recordings.resize(n);
  std::vector<Decoded> decoded(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    // The flag is checked before taking an index, so every index taken is
    // decoded: the lowest failing index is always found (see the header).
    while (!failed.load(std::memory_order_relaxed)) {
      const size_t k = next.fetch_add(1);
      if (k >= n) break;
      const Item& item = items[order[k]];
      Recording& r = set.recordings[k];
      try {
        decoded[k] = decode(item, opt, r.samples);
      } catch (...) {
        errors[k] = std::current_exception();
        failed = true;
      }
      r.channels = 1;
      r.rate_hz = opt.rate_hz;
      r.label = labels[order[k]];
      r.group = item.group;
      r.source = item.path.string();
    }
  };
  const size_t threads = std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), (n + 31) / 32));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);

  // One note per kind of conversion.
  std::map<int, int64_t> by_channels;
  std::map<double, int64_t> by_rate;
  for (const Decoded& d : decoded) {
    if (d.channels != 1) ++by_channels[d.channels];
    if (d.rate_hz != opt.rate_hz) ++by_rate[d.rate_hz];
  }
  auto files = [](int64_t k) { return std::to_string(k) + (k == 1 ? " file was " : " files were "); };
  for (const auto& [ch, k] : by_channels)
    set.notes.push_back(files(k) + (ch == 2 ? std::string("stereo") : std::to_string(ch) + "-channel") +
                        " and mixed to mono");
  for (const auto& [hz, k] : by_rate)
    set.notes.push_back(std::to_string(k) + (k == 1 ? " file" : " files") + " at " + rate_text(hz) +
                        " Hz resampled to " + rate_text(opt.rate_hz) + " Hz");
  for (size_t c = 0; c < per_class.size(); ++c)
    if (per_class[c] == 0) set.notes.push_back("class '" + set.class_names[c] + "' has no recordings");
  if (by_folder) apply_split_lists(root, set);
  return set;
}

}  // namespace slimlab::data
