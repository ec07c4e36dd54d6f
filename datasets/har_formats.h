#pragma once
// Loaders for the public inertial (HAR) datasets, in the files' own formats.
// Each returns a RecordingSet (modality kHar): one Recording per trial / window /
// continuous run, samples frame-major, label = index into class_names,
// group = subject, source = file (plus a line range when a recording is a slice
// of a file). Bad input → DataError naming the file and the 1-based line.
#include <filesystem>
#include <string>

#include "datasets/types.h"

namespace slimlab::data {

// HMP — wrist accelerometer ADL dataset (Bruno et al.; UCI "Dataset for ADL
// Recognition with Wrist-worn Accelerometer"). Layout: one folder per class
// (folder name = class name; folders ending in "_MODEL" and plain files are
// skipped), trials named Accelerometer-YYYY-MM-DD-HH-MM-SS-<hmp>-<volunteer>.txt,
// each line "x y z" with coded integers 0–63 at 32 Hz, converted to g:
// a = −1.5 + (v / 63)·3. group = volunteer ("f1", "m3", …), channels acc_x/y/z.
// Errors: a non-numeric token, a line with ≠ 3 values, a value outside 0–63,
// an empty trial file, an empty class folder, a file name not matching the pattern.
RecordingSet load_hmp(const std::filesystem::path& dir);

// UCI HAR (Anguita et al., 2013; "UCI HAR Dataset" folder). Uses the raw
// windows in <split>/Inertial Signals/ (128 samples = 2.56 s at 50 Hz, 50%
// overlap between consecutive windows), <split>/y_<split>.txt (labels, ids from
// activity_labels.txt) and <split>/subject_<split>.txt. split: "train" | "test" |
// "all" (train then test). Each window is one Recording of 128 frames × 9 channels
// in this order:
//   0–2 total_acc_x/y/z (g), 3–5 body_gyro_x/y/z (rad/s), 6–8 body_acc_x/y/z (g)
// so that channels 0–5 are one accelerometer + one gyroscope, as DeepSense expects.
// group = "subject<N>". Errors: a file with a different line count, a line
// without exactly 128 numbers, a label not in activity_labels.txt.
RecordingSet load_uci_har(const std::filesystem::path& dir, const std::string& split);

// WISDM v1.1 raw (WISDM_ar_v1.1_raw.txt, Kwapisz et al. 2010): records
// "user,activity,timestamp,x,y,z;" at 20 Hz, timestamps in ns, acceleration in
// m/s². Records are separated by ';' and may share a line; a record cut by a
// newline continues on the next line unless it already holds its 6 fields (then
// the newline ends it, tolerating a missing ';'). Blank lines and a trailing comma
// after the 6th field are allowed; a record with a missing or non-numeric field is
// an error naming the line where the record starts (the real v1.1 file has a few
// such records: fix or delete those lines). Recordings are maximal runs of
// consecutive records with the same (user, activity), also split where the
// timestamp goes backwards or jumps by more than 1 s (0 timestamps, present in
// the real file, never split a run). class_names = sorted activity names,
// group = user id, source = "<file name>:<first line>-<last line>".
RecordingSet load_wisdm(const std::filesystem::path& file);

// HHAR (Stisen et al., SenSys 2015): Phones_/Watch_ accelerometer/gyroscope CSVs
// with header "Index,Arrival_Time,Creation_Time,x,y,z,User,Model,Device,gt".
// Rows with gt "null" are dropped. Recordings are maximal runs of consecutive rows
// (in file order) with the same (User, Device, gt); each run is ordered by
// Creation_Time (ns), split where consecutive samples are more than 1 s apart, and
// resampled onto a uniform rate_hz grid by linear interpolation (devices sample
// irregularly at 50–200 Hz). Class names are HHAR's six activities, sorted:
// bike, sit, stairsdown, stairsup, stand, walk. group = User, channels
// acc_x/y/z (m/s²) or gyro_x/y/z (rad/s) when the file name says "gyroscope".
// Errors: wrong header, a row without 10 fields, a non-numeric Index / Arrival_Time /
// Creation_Time / x / y / z, an empty User or Device, an unknown gt.
RecordingSet load_hhar(const std::filesystem::path& csv, double rate_hz = 50);

// "hmp" | "uci_har" | "wisdm" | "hhar" | "" (unknown), from the layout of a
// folder (class folders of Accelerometer-*.txt → hmp; activity_labels.txt or a
// "UCI HAR Dataset" subfolder → uci_har) or the first line of a file (the HHAR
// header → hhar; "int,name,int,num,num,num;" → wisdm).
std::string detect_har_format(const std::filesystem::path& p);

}  // namespace slimlab::data
