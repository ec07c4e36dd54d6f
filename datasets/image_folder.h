#pragma once
// Images laid out one folder per class (the torchvision ImageFolder layout):
//
//   root/cat/0001.png  root/cat/x/0002.jpg  root/dog/a.jpeg …
//
// Class folders are sorted by name, and that order is the class index. Inside
// a class folder every .png / .jpg / .jpeg (any letter case), at any depth, is
// one sample; other files are ignored, as are hidden folders (".name") at the
// top level. Images are decoded with stb_image (8-bit; alpha is dropped).
//
// A folder that ships its split — root/train/<class>/…, root/test/<class>/… and
// optionally root/val/<class>/… (also training/, validation/, valid/, dev/,
// testing/) — is loaded whole, each image tagged with its split
// (ArraySet::given_splits); class names are the union over the splits. Split-named
// folders that hold images directly (they would become classes), or split folders
// beside other folders, are an error that says how to lay the folder out.
#include <filesystem>

#include "datasets/types.h"

namespace slimlab::data {

struct ImageFolderOptions {
  // 0: every image must have the size of the first one (a mismatch is an
  // error); otherwise every image is resized to size × size (bilinear,
  // pixel-centre aligned, no antialiasing — downscale large photos beforehand).
  int size = 0;
  // 0: as the first image (1 for grey / grey+alpha, 3 for RGB / RGBA);
  // 1: grey, RGB converted as 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601);
  // 3: RGB, grey replicated into the three channels.
  int channels = 0;
};

// Loads root into an ArraySet of shape {C, H, W}, values = pixel / 255 in
// [0, 1], labels = class folder index, class_names = folder names, groups = -1.
// Files are taken in sorted path order within each class. Throws DataError
// naming the path for: no class folders, a class folder without images, an
// image stb_image cannot decode (with its reason), an image over 16384 pixels
// a side, and a size mismatch when opt.size == 0. Throws std::invalid_argument
// for options outside the ranges above.
ArraySet load_image_folder(const std::filesystem::path& root, const ImageFolderOptions& opt = {});

// True when root has a (non-hidden) subfolder holding at least one image file.
bool looks_like_image_folder(const std::filesystem::path& root);

}  // namespace slimlab::data
