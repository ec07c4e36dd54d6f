#pragma once
// The offline default vision data: procedurally drawn shapes that play the
// part of MNIST (28×28 grey) or CIFAR-10 (32×32 RGB) when no real data is at
// hand, with enough nuisance that the task is not trivial.
//
// Each class is a shape (disc, ring, square, triangle, cross, plus, h-bars,
// v-bars, diagonal stripes, arrow, star, zigzag). A sample draws its class's
// shape with an affine pose (scale, rotation within about ±25°, slant, aspect,
// translation), a smooth random warp of the strokes, a stroke width and an
// intensity, then adds 0–4 distractor strokes, a Gaussian blur and pixel noise.
// Every sample belongs to one of num_writers "writers" whose style (stroke
// width, slant, wobble, blur, clutter, size) is shared by all its samples, so a
// split by writer tests generalisation to unseen styles, as a split by subject
// does for HAR. In RGB the foreground and background colours (and a background
// gradient) are drawn independently of the class, and the foreground may be
// darker than the background, so colour carries no class information.
//
// Difficulty: a softmax regression on raw pixels reaches roughly 60–90 % on the
// grey version (the pose and clutter defeat a fixed template per class), while
// a small CNN separates the classes well.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/types.h"

namespace slimlab::data {

struct SyntheticVisionOptions {
  int image_size = 28;        // H = W, 8..512
  int channels = 1;           // 1 (grey, MNIST-like) or 3 (RGB, CIFAR-like; use image_size 32)
  int num_classes = 10;       // 2..synthetic_vision_class_names().size()
  int samples_per_class = 600;
  int num_writers = 20;       // groups: writer k is "w00", "w01", …
  uint64_t seed = 1;
};

// Shape {channels, size, size}, values in [0, 1], labels = shape index,
// groups = writer index. Samples are interleaved by class (sample i has class
// i % num_classes) and sample k of a class is drawn by writer k % num_writers,
// so any prefix is balanced. Deterministic: the same options give identical
// bytes on a given platform (the maths library's sin/exp may differ in the last
// bit elsewhere); sample k of class c depends only on (seed, c, k, its writer,
// image_size, channels), so asking for more samples keeps the first ones.
// Throws std::invalid_argument on options outside the ranges above.
ArraySet make_synthetic_vision(const SyntheticVisionOptions& opt);

// Every shape the generator knows, in class order.
const std::vector<std::string>& synthetic_vision_class_names();

}  // namespace slimlab::data
