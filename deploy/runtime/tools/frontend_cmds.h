#pragma once
// slimrt-run's commands for models whose graph starts with a front-end op
// (AudioFeatures, DeepSenseFeatures, Resample, ImageResize): raw sensor files in.
#include <string>

#include "slimrt/runtime.h"

namespace slimrt::tools {

struct RawOptions {
  std::string isa;
  std::string columns;      // CSV columns by name or position ("x,y,z"); empty: all
  std::string output;       // --output: output 0 as raw little-endian float32
  int top = 5;              // classes printed
  int64_t hop = 0;          // stream: frames between decisions (0: the file's)
  int64_t chunk = 0;        // stream: frames per push (0: the hop)
  double rate = 0;          // stream --rate: Hz of the input (0: a WAV header's, else the model's)
  int smooth = -1;          // stream: decisions smoothed (-1: the file's)
  int smooth_mode = -1;     // stream: 0 vote, 1 mean (-1: the file's)
  unsigned load_flags = 0;  // SLIMRT_LOAD_SKIP_CHECKSUMS
  bool raw = false;         // run --raw: INPUT is float32 features for the network, past the front end
  std::string point;        // --point NAME|INDEX: the operating point (docs/ADAPTIVE.md); empty: the main one
};

// --point: an index, or a point's name among `names`; throws Error listing the names.
size_t resolve_point(const std::vector<std::string>& names, const std::string& point);
std::vector<std::string> point_names(const Model& m);

// The model's first op when it is a front-end op reading the model's input, else null.
const OpDesc* front_end_op(const Model& m);
// `run`: decodes `input` for the front end, runs the model (every window of a longer
// recording, outputs averaged) and prints `class <name> <value>` lines, best first.
int run_raw(const std::shared_ptr<const Model>& m, const std::string& path, const std::string& input,
            const RawOptions& o);
// `stream`: pushes the file through slimrt/stream.h in chunks; one line per hop.
int stream_raw(const std::string& path, const std::string& input, const RawOptions& o);
// `describe`: the front-end lines (rate, window, hop, features, normalisation, smoothing).
void describe_front_end(const Model& m);
// Writes floats as raw little-endian float32 (Error naming the file).
void write_f32(const std::string& path, const float* data, size_t count);

}  // namespace slimrt::tools
