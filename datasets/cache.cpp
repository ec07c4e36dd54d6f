#include "datasets/cache.h"

#include <map>

#include "datasets/errors.h"
#include "datasets/h5.h"

namespace slimlab::data {

namespace {

std::vector<int64_t> with_batch(size_t n, const std::vector<int64_t>& sample_shape) {
  std::vector<int64_t> s{int64_t(n)};
  s.insert(s.end(), sample_shape.begin(), sample_shape.end());
  return s;
}

void write_split(h5::File& f, const std::string& name, const ArraySet& a) {
  f.create_group(name);
  f.write(name + "/x", a.values, with_batch(a.size(), a.sample_shape));
  f.write(name + "/y", a.labels, {int64_t(a.size())});
  std::vector<int32_t> groups = a.groups;
  groups.resize(a.size(), -1);
  f.write(name + "/group", groups, {int64_t(a.size())});
}

ArraySet read_split(const h5::File& f, const std::string& name, const PreparedData& d,
                    const std::vector<std::string>& classes, const std::vector<std::string>& groups) {
  ArraySet a;
  a.modality = d.source.modality;
  std::vector<int64_t> shape;
  a.values = f.read_floats(name + "/x", &shape);
  if (shape.empty()) throw DataError(f.path().string(), "dataset '" + name + "/x' has no sample axis");
  a.sample_shape.assign(shape.begin() + 1, shape.end());
  a.labels = f.read_ints(name + "/y");
  a.groups = f.read_ints(name + "/group");
  if (a.labels.size() != size_t(shape[0]) || a.groups.size() != size_t(shape[0]))
    throw DataError(f.path().string(), "split '" + name + "': x, y and group disagree on the sample count");
  for (size_t i = 0; i < a.labels.size(); ++i) {
    if (a.labels[i] < 0 || size_t(a.labels[i]) >= classes.size())
      throw DataError(f.path().string(), "split '" + name + "': label " + std::to_string(a.labels[i]) +
                                             " of sample " + std::to_string(i) + " is outside the class list");
    if (a.groups[i] < -1 || (a.groups[i] >= 0 && size_t(a.groups[i]) >= groups.size()))
      throw DataError(f.path().string(), "split '" + name + "': group index of sample " + std::to_string(i) +
                                             " is outside the group list");
  }
  a.class_names = classes;
  a.group_names = groups;
  return a;
}

// dataset.normalize_per_group: [groups, A] means and stds (absent otherwise).
void write_group_normalization(h5::File& f, const std::vector<Normalization>& g) {
  if (g.empty()) return;
  std::vector<float> mean, sd;
  size_t a = 0;
  int axis = 0;
  for (const Normalization& n : g)
    if (!n.empty()) a = n.mean.size(), axis = n.axis;
  if (a == 0) return;
  for (const Normalization& n : g) {
    mean.insert(mean.end(), n.mean.begin(), n.mean.end());
    sd.insert(sd.end(), n.stddev.begin(), n.stddev.end());
    mean.resize(mean.size() + a - n.mean.size(), 0.0f);  // a group without training samples: no statistics
    sd.resize(sd.size() + a - n.stddev.size(), 0.0f);
  }
  f.create_group("group_normalization");
  f.set_attr("group_normalization", "axis", int64_t(axis));
  f.write("group_normalization/mean", mean, {int64_t(g.size()), int64_t(a)});
  f.write("group_normalization/std", sd, {int64_t(g.size()), int64_t(a)});
}

std::vector<Normalization> read_group_normalization(const h5::File& f, const std::filesystem::path& path,
                                                    size_t groups) {
  if (!f.exists("group_normalization/mean")) return {};
  std::vector<int64_t> shape, shape_sd;
  const std::vector<float> mean = f.read_floats("group_normalization/mean", &shape);
  const std::vector<float> sd = f.read_floats("group_normalization/std", &shape_sd);
  if (shape.size() != 2 || shape != shape_sd || size_t(shape[0]) != groups || shape[1] == 0)
    throw DataError(path.string(), "group_normalization: expected [" + std::to_string(groups) +
                                       ", A] means and stds of one shape");
  std::vector<Normalization> out(groups);
  const size_t a = size_t(shape[1]);
  for (size_t i = 0; i < groups; ++i) {
    if (sd[i * a] == 0.0f) continue;  // written without statistics
    out[i].axis = int(f.attr_double("group_normalization", "axis").value_or(0));
    out[i].mean.assign(mean.begin() + long(i * a), mean.begin() + long((i + 1) * a));
    out[i].stddev.assign(sd.begin() + long(i * a), sd.begin() + long((i + 1) * a));
  }
  return out;
}

}  // namespace

std::string cache_key(const PreparedData& d) {
  std::string k = "v" + std::to_string(kCacheVersion) + ";fingerprint=" + d.source.fingerprint;
  for (const auto& [key, value] : d.parameters) k += ";" + key + "=" + value;
  return k;
}

void write_cache(const PreparedData& d, const std::filesystem::path& path) {
  h5::File f = h5::File::create(path);
  f.set_compression(0);
  f.set_attr("/", "slimlab_cache_version", int64_t(kCacheVersion));
  f.set_attr("/", "cache_key", cache_key(d));
  f.set_attr("/", "modality", std::string(to_string(d.source.modality)));
  f.set_attr("/", "format", d.source.spec.format);
  f.set_attr("/", "source", d.source.spec.text);
  f.set_attr("/", "fingerprint", d.source.fingerprint);
  f.set_attr("/", "split_method", d.split_method);
  f.set_attr("/", "unit", d.source.unit);
  f.set_attr("/", "items", int64_t(d.source.items));
  f.set_attr("/", "rate_hz", d.source.rate_hz);
  f.set_attr("/", "mean_seconds", d.source.mean_seconds);
  f.set_attr("/", "group_kind", d.source.group_kind);
  for (const auto& [key, value] : d.parameters) f.set_attr("/", "param." + key, value);
  f.write_strings("classes", d.source.class_names);
  f.write("class_counts", d.source.class_counts, {int64_t(d.source.class_counts.size())});
  f.write_strings("groups", d.train.group_names);
  f.write_strings("channels", d.source.channel_names);
  f.write_strings("notes", d.source.notes);
  f.write("image_shape", d.source.image_shape, {int64_t(d.source.image_shape.size())});
  f.create_group("normalization");
  f.set_attr("normalization", "axis", int64_t(d.normalization.axis));
  f.write("normalization/mean", d.normalization.mean, {int64_t(d.normalization.mean.size())});
  f.write("normalization/std", d.normalization.stddev, {int64_t(d.normalization.stddev.size())});
  write_group_normalization(f, d.group_normalization);
  write_split(f, "train", d.train);
  write_split(f, "val", d.val);
  write_split(f, "test", d.test);
  f.commit();
}

PreparedData read_cache(const std::filesystem::path& path) {
  const h5::File f = h5::File::open_read(path);
  const auto version = f.attr_double("/", "slimlab_cache_version");
  if (!version) throw DataError(path.string(), "not a SlimLab dataset cache (no slimlab_cache_version attribute)");
  if (int(*version) != kCacheVersion)
    throw DataError(path.string(), "cache version " + std::to_string(int(*version)) + " is not " +
                                       std::to_string(kCacheVersion) + "; rebuild it");
  PreparedData d;
  d.from_cache = true;
  auto str = [&](const std::string& key) { return f.attr_string("/", key).value_or(""); };
  d.source.modality = modality_from_string(str("modality"));
  d.source.spec.format = str("format");
  d.source.spec.text = str("source");
  d.source.fingerprint = str("fingerprint");
  d.split_method = str("split_method");
  d.source.unit = str("unit");
  d.source.group_kind = str("group_kind");
  d.source.items = size_t(f.attr_double("/", "items").value_or(0));
  d.source.rate_hz = f.attr_double("/", "rate_hz").value_or(0);
  d.source.mean_seconds = f.attr_double("/", "mean_seconds").value_or(0);
  // Parameters come back in the order they were written (attribute names sort, so
  // rebuild the order from the cache key).
  const std::string key = str("cache_key");
  size_t pos = 0;
  while ((pos = key.find(';', pos)) != std::string::npos) {
    ++pos;
    const size_t eq = key.find('=', pos), end = key.find(';', pos);
    const std::string k = key.substr(pos, eq - pos);
    if (k != "fingerprint") d.parameters.emplace_back(k, key.substr(eq + 1, end == std::string::npos ? end : end - eq - 1));
  }
  d.source.class_names = f.read_strings("classes");
  d.source.class_counts = f.read_int64s("class_counts");
  const auto groups = f.read_strings("groups");
  d.source.groups = groups.size();
  d.source.channel_names = f.read_strings("channels");
  d.source.notes = f.read_strings("notes");
  d.source.image_shape = f.read_int64s("image_shape");
  d.normalization.axis = int(f.attr_double("normalization", "axis").value_or(0));
  d.normalization.mean = f.read_floats("normalization/mean");
  d.normalization.stddev = f.read_floats("normalization/std");
  if (d.normalization.mean.size() != d.normalization.stddev.size())
    throw DataError(path.string(), "normalization mean and std differ in length");
  d.group_normalization = read_group_normalization(f, path, groups.size());
  d.train = read_split(f, "train", d, d.source.class_names, groups);
  d.val = read_split(f, "val", d, d.source.class_names, groups);
  d.test = read_split(f, "test", d, d.source.class_names, groups);
  if (d.val.sample_shape != d.train.sample_shape || d.test.sample_shape != d.train.sample_shape)
    throw DataError(path.string(), "the splits have different sample shapes");
  return d;
}

PreparedData load_or_build(const DatasetConfig& config, const std::filesystem::path& path, std::string* reason) {
  std::string why = "no cache at " + path.string();
  if (std::filesystem::exists(path)) {
    try {
      const h5::File f = h5::File::open_read(path);
      const std::string have = f.attr_string("/", "cache_key").value_or("");
      // Compare against what this configuration would produce, without preprocessing.
      const SourceSpec spec = parse_source(config.source);
      const std::string fp = spec.path.empty() ? "" : fingerprint_path(spec.path);
      const Modality m = modality_from_string(f.attr_string("/", "modality").value_or("har"));
      PreparedData probe;
      probe.source.fingerprint = fp;
      probe.parameters = config.describe(m);
      if (have == cache_key(probe)) {
        if (reason) *reason = "reused " + path.string();
        return read_cache(path);
      }
      why = "the source files or parameters changed";
      if (f.attr_string("/", "fingerprint").value_or("") != fp) why = "the source files changed";
      else
        for (const auto& [k, v] : probe.parameters)
          if (f.attr_string("/", "param." + k).value_or("\x01") != v) {
            why = "parameter " + k + " changed";
            break;
          }
    } catch (const DataError& e) {
      why = std::string("unreadable cache (") + e.what() + ")";
    }
  }
  PreparedData d = prepare(config);
  write_cache(d, path);
  if (reason) *reason = "built " + path.string() + ": " + why;
  return d;
}

}  // namespace slimlab::data
