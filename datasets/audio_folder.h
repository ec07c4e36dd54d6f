#pragma once
// Folders of WAV clips as a RecordingSet, in the two layouts keyword-spotting
// datasets use:
//
//   file names   (Free Spoken Digit Dataset)  root/{label}_{speaker}_{index}.wav
//                label = text before the first '_', index = digits after the
//                last '_', speaker (→ group) = what lies between.
//   subfolders   (Google Speech Commands)     root/{label}/{file}.wav
//                speaker = the part of the file name before "_nohash_" ("" when
//                there is none); the folder _background_noise_ (long noise
//                recordings, not a class) and folders starting with '.' are skipped,
//                as are non-WAV files (README, …). validation_list.txt and
//                testing_list.txt, when present, give each clip its split
//                (Recording::given_split; clips in neither list are training clips).
//
// Every clip becomes mono at rate_hz: multichannel clips are averaged, other
// rates are resampled (datasets/resample.h). Each kind of conversion is
// reported once in RecordingSet::notes ("12 files were stereo and mixed to mono",
// "3 files at 44100 Hz resampled to 8000 Hz"); with strict = true the first such
// file is a DataError instead.
//
// Order is deterministic: classes in class_names order, files sorted by name
// with numbers compared as numbers ("0_jackson_2" < "0_jackson_10"). Files are
// decoded on up to std::thread::hardware_concurrency() threads, each writing its
// own slot, so the result does not depend on the thread count; on bad input the
// error reported is that of the first bad file in this order.
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/types.h"

namespace slimlab::data {

enum class LabelFrom { kAuto, kFileName, kSubfolder };

struct AudioFolderOptions {
  double rate_hz = 8000;  // every recording comes out at this rate
  // kAuto: subfolders when root has a subfolder (other than the skipped ones)
  // holding .wav files, else file names.
  LabelFrom label_from = LabelFrom::kAuto;
  bool strict = false;  // true: a clip that is not mono at rate_hz is an error
  // Empty: the labels found, sorted numeric-aware ("2" < "10"). Given: fixes the
  // label indices; a file or folder with a label outside it is an error, and a
  // listed class with no files gets a note.
  std::vector<std::string> class_names;
};

// Throws DataError naming the file or folder for: root missing or not a
// folder, no .wav files, a file name not of the form {label}_{speaker}_{index}.wav,
// a label outside class_names, an empty class folder, an unreadable / truncated
// WAV (read_wav), and — when strict — a clip that is not mono at rate_hz.
// Throws std::invalid_argument for rate_hz ≤ 0 or duplicate class_names.
// The result has modality kAudio, channel_names {"mic"}, and each
// Recording::source is the file's path.
RecordingSet load_audio_folder(const std::filesystem::path& root, const AudioFolderOptions& options = {});

// True when root is a folder with .wav files in it or in one of its subfolders.
// Never throws.
bool looks_like_audio_folder(const std::filesystem::path& root);

}  // namespace slimlab::data
