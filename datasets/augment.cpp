// The configuration side of augmentation: which options apply to which data, the
// data's layout, the noise folder. The transforms themselves: augment_apply.cpp.
#include "datasets/augment.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "datasets/errors.h"
#include "datasets/pipeline.h"
#include "datasets/resample.h"
#include "datasets/wav.h"

namespace slimlab::data {

namespace fs = std::filesystem;

namespace {

// The keys of one group of options that are switched on.
struct OnKey {
  const char* key;
  bool on;
};

void each_on(const std::vector<OnKey>& keys, const std::function<void(const std::string&)>& f) {
  for (const OnKey& k : keys)
    if (k.on) f(k.key);
}

}  // namespace

std::string AugmentOptions::describe() const {
  std::ostringstream o;
  auto line = [&o](const char* key, const std::string& value) { o << "augment." << key << "=" << value << "\n"; };
  if (max_shift > 0) line("crop_padding", std::to_string(max_shift));
  if (horizontal_flip) line("horizontal_flip", "true");
  if (noise_std > 0) line("gaussian_noise", format_number(noise_std));
  if (time_shift_ms > 0) line("time_shift_ms", format_number(time_shift_ms) + " " + time_shift_mode);
  if (noise_prob > 0) line("noise", format_number(noise_prob) + " at " + format_number(noise_snr_db) + " dB from '" + noise_dir + "'");
  if (freq_masks > 0) line("freq_masks", std::to_string(freq_masks) + " x " + std::to_string(freq_mask_width));
  if (time_masks > 0) line("time_masks", std::to_string(time_masks) + " x " + std::to_string(time_mask_width));
  if (jitter_sigma > 0) line("jitter_sigma", format_number(jitter_sigma));
  if (scale_sigma > 0) line("scale_sigma", format_number(scale_sigma));
  if (rotation_degrees > 0) line("rotation_degrees", format_number(rotation_degrees));
  if (time_warp_sigma > 0) line("time_warp", format_number(time_warp_sigma) + " x " + std::to_string(time_warp_knots));
  return o.str();
}

std::vector<int> xyz_triplets(const std::vector<std::string>& names) {
  std::vector<int> out;
  auto stem_axis = [](const std::string& s, std::string* stem) {
    if (s.empty()) return '\0';
    *stem = s.substr(0, s.size() - 1);
    return char(std::tolower(static_cast<unsigned char>(s.back())));
  };
  for (size_t i = 0; i + 2 < names.size(); ++i) {
    std::string a, b, c;
    if (stem_axis(names[i], &a) == 'x' && stem_axis(names[i + 1], &b) == 'y' && stem_axis(names[i + 2], &c) == 'z' &&
        a == b && b == c) {
      out.push_back(int(i));
      i += 2;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> augment_problems(const AugmentOptions& o, Modality m,
                                                                  const std::string& har_features,
                                                                  const std::string& audio_features,
                                                                  const std::vector<std::string>* channel_names) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string data = std::string(to_string(m)) + " data";
  auto add = [&out](const std::string& key, const std::string& why) { out.emplace_back("augment." + key, why); };
  const std::vector<OnKey> image = {{"crop_padding", o.max_shift > 0}, {"horizontal_flip", o.horizontal_flip}};
  const std::vector<OnKey> audio = {{"time_shift_ms", o.time_shift_ms > 0},
                                    {"noise_prob", o.noise_prob > 0},
                                    {"freq_masks", o.freq_masks > 0},
                                    {"time_masks", o.time_masks > 0}};
  const std::vector<OnKey> har = {{"jitter_sigma", o.jitter_sigma > 0},
                                  {"scale_sigma", o.scale_sigma > 0},
                                  {"rotation_degrees", o.rotation_degrees > 0},
                                  {"time_warp_sigma", o.time_warp_sigma > 0}};
  if (m != Modality::kVision)
    each_on(image, [&](const std::string& k) { add(k, "applies to images [C, H, W]; the dataset is " + data); });
  if (m != Modality::kAudio)
    each_on(audio, [&](const std::string& k) { add(k, "applies to audio; the dataset is " + data); });
  if (m != Modality::kHar)
    each_on(har, [&](const std::string& k) { add(k, "applies to HAR (inertial) windows; the dataset is " + data); });
  if (!o.noise_dir.empty() && o.noise_prob <= 0)
    add("noise_dir", "is set but augment.noise_prob is 0, so no example would get noise");
  if (m == Modality::kAudio) {
    if (o.noise_prob > 0 && audio_features == "mfcc")
      add("noise_prob",
          "noise mixing needs dataset.audio_features = \"raw\" or \"logmel\" (MFCC keeps only the first DCT "
          "coefficients, so the powers of signal and noise cannot be added)");
    if (audio_features == "raw")
      each_on({{"freq_masks", o.freq_masks > 0}, {"time_masks", o.time_masks > 0}}, [&](const std::string& k) {
        add(k, "SpecAugment masks need spectrogram features (dataset.audio_features = \"logmel\" or \"mfcc\"), not "
               "the raw waveform");
      });
  }
  if (m == Modality::kHar && har_features != "raw")
    each_on(har, [&](const std::string& k) {
      add(k, "needs raw windows [C, W] (dataset.har_features = \"raw\"), not \"" + har_features + "\" features");
    });
  if (m == Modality::kHar && har_features == "raw" && o.rotation_degrees > 0 && channel_names &&
      xyz_triplets(*channel_names).empty()) {
    std::string names;
    for (const auto& n : *channel_names) names += (names.empty() ? "" : ", ") + n;
    add("rotation_degrees", "the input channels (" + names +
                                ") hold no xyz triplet (consecutive <sensor>_x, <sensor>_y, <sensor>_z) to rotate");
  }
  return out;
}

AugmentLayout augment_layout(const DatasetConfig& config, const PreparedData& data) {
  AugmentLayout l;
  l.known = true;
  l.modality = data.source.modality;
  l.channel_names = data.source.channel_names;
  l.har_features = config.har_features;
  l.audio = config.audio;
  l.normalization = data.normalization;
  l.group_normalization = data.group_normalization;
  return l;
}

std::shared_ptr<const NoiseBank> load_noise_bank(const std::string& dir, double rate_hz) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, double>, std::shared_ptr<const NoiseBank>> banks;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = banks.find({dir, rate_hz});
  if (it != banks.end()) return it->second;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::invalid_argument("augment.noise_dir: '" + dir + "' is not a folder");
  std::vector<fs::path> files;
  for (auto f = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && f != fs::recursive_directory_iterator(); f.increment(ec)) {
    std::string ext = f->path().extension().string();
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (f->is_regular_file() && ext == ".wav") files.push_back(f->path());
  }
  if (files.empty()) throw std::invalid_argument("augment.noise_dir: no .wav files under '" + dir + "'");
  std::sort(files.begin(), files.end());
  auto bank = std::make_shared<NoiseBank>();
  for (const fs::path& f : files) {
    try {
      const WavClip clip = read_wav(f);
      std::vector<float> mono = mix_to_mono(clip.samples, clip.channels);
      bank->clips.push_back(clip.rate_hz == rate_hz ? std::move(mono) : resample(mono, clip.rate_hz, rate_hz));
      bank->files.push_back(f.string());
    } catch (const DataError& e) {
      throw std::invalid_argument(std::string("augment.noise_dir: ") + e.what());
    }
  }
  banks[{dir, rate_hz}] = bank;
  return bank;
}

}  // namespace slimlab::data
