#!/usr/bin/env bash
# Feeds SlimLab kinds of bad input, for real, and prints a Markdown table of the
# message each one gives (docs/RELIABILITY.md "Bad input"). Needs a built tree:
#   tools/bad-inputs.sh [BUILD=build] [FUZZ_BUILD=build-fuzz]  > table.md
# (build/bin/slimlab, build/bin/slimrt-run; build-fuzz/bin/fuzz_make_seeds writes the
# files that lie about their sizes). Each command runs in a scratch folder with
# relative paths, so messages are reproducible; "exit" is the command's status.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SL=$ROOT/${BUILD:-build}/bin/slimlab
RT=$ROOT/${BUILD:-build}/bin/slimrt-run
SEEDS=$ROOT/${FUZZ_BUILD:-build-fuzz}/bin/fuzz_make_seeds
CORPUS=$ROOT/fuzz/corpus
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
export ASAN_OPTIONS=detect_leaks=0
n=0

# row AREA "WHAT" command...  — runs it and prints one table row.
row() {
  local area=$1 what=$2; shift 2
  local err out rc msg
  out=$(timeout 120 "$@" 2>"$W/.err"); rc=$?
  err=$(grep -v '^\s*$' "$W/.err" | head -3 | tr '\n' ' ' | sed 's/ *$//')
  msg=${err:-$(echo "$out" | grep -v '^\s*$' | tail -1)}
  [ $rc -eq 0 ] && msg="(accepted) $msg"
  msg=$(echo "$msg" | sed "s#$W/##g; s/|/\\\\|/g" | cut -c1-400)
  n=$((n + 1))
  printf '| %d | %s | %s | %s | %s |\n' "$n" "$area" "$what" "$rc" "\`$msg\`"
}
be32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }

"$SEEDS" --hostile hostile >/dev/null
cp hostile/valid/slim/small_cnn-fp32.slim good.slim
size=$(stat -c %s good.slim)

echo "| # | area | bad input | exit | message |"
echo "|---|---|---|---|---|"
# ---- models (.slim) ----------------------------------------------------------------
row model "missing file" "$RT" describe nothing.slim
: >empty.slim; row model "0-byte file" "$RT" describe empty.slim
echo "hello world" >text.slim; row model "a text file" "$RT" describe text.slim
head -c 100 good.slim >head.slim; row model "first 100 bytes of a model" "$RT" describe head.slim
head -c $((size - 1)) good.slim >cut.slim; row model "last byte cut off" "$RT" describe cut.slim
{ head -c 4 good.slim; printf 'XXXX'; tail -c +9 good.slim; } >ident.slim; row model "file identifier changed" "$RT" describe ident.slim
{ printf '\xff\xff\xff\x7f'; tail -c +5 good.slim; } >root.slim; row model "root offset past the end" "$RT" describe root.slim
{ cat good.slim; head -c 4096 /dev/urandom; } >tail.slim; row model "4 KB of garbage appended" "$RT" describe tail.slim
mkdir -p dir.slim; row model "a folder named .slim" "$RT" describe dir.slim
row model "tensor claiming 10^12 elements" "$RT" describe hostile/huge-tensor.slim
row model "negative dimension (-3, 4)" "$RT" describe hostile/negative-dim.slim
row model "dimensions whose product overflows (2^30)^3" "$RT" describe hostile/overflow-dims.slim
row model "cyclic graph (two ops feed each other)" "$RT" describe hostile/cyclic.slim
cp "$CORPUS/image/png" image.slim; row model "a PNG renamed .slim" "$RT" describe image.slim
# ---- streams: inputs to a model ------------------------------------------------------
head -c 12 /dev/zero >short.f32; row stream "input .f32 of 12 bytes (model wants 64 floats)" "$RT" run good.slim short.f32
printf '1,2,abc\n' >bad.csv; row stream "input .csv with a non-number" "$RT" run good.slim bad.csv
printf '1,2,3\n' >few.csv; row stream "input .csv with 3 values (model wants 64)" "$RT" run good.slim few.csv
echo "not audio" >in.wav; row stream "input .wav that is text" "$RT" run good.slim in.wav
row stream "input file missing" "$RT" run good.slim none.f32
echo 1 >in.xyz; row stream "input of unknown extension .xyz" "$RT" run good.slim in.xyz
row stream "unknown --isa" "$RT" run good.slim short.f32 --isa sse9
# ---- configs (TOML) -------------------------------------------------------------------
base='name = "bad"
[dataset]
source = "synthetic:har"
[model]
name = "cnn1d"
[train]
epochs = 1
'
cfg() { printf '%s\n' "$2" >"$1.toml"; }
printf '#!/bin/sh\nexec "%s" train "$@" --runs runs --quiet\n' "$SL" >train; chmod +x train
row config "missing file" ./train none.toml
cfg empty ""; row config "0-byte file" ./train empty.toml
cfg syntax 'name = '; row config "TOML syntax error" ./train syntax.toml
cfg typo "$base
learning_rate = 0.1"; row config "misspelt key (learning_rate)" ./train typo.toml
cfg table "$base
[trian]
lr = 0.1"; row config "unknown table [trian]" ./train table.toml
cfg type "${base/epochs = 1/epochs = \"ten\"}"; row config "string where an int is wanted" ./train type.toml
cfg range "$base
lr = -1.0"; row config "value out of range (lr = -1)" ./train range.toml
cfg choice "$base
optimizer = \"sgdd\""; row config "value not among the choices" ./train choice.toml
cfg big "${base/epochs = 1/epochs = 1000000000000}"; row config "epochs = 10^12" ./train big.toml
cfg huge "${base/epochs = 1/epochs = 99999999999999999999}"; row config "integer beyond int64" ./train huge.toml
printf 'x = %s%s\n' "$(head -c 100000 /dev/zero | tr '\0' '[')" "$(head -c 100000 /dev/zero | tr '\0' ']')" >deep.toml
row config "arrays nested 100,000 deep" ./train deep.toml
cfg dup "$base
epochs = 2"; row config "duplicate key" ./train dup.toml
cfg nostage "$base
[[stage]]
epochs = 1"; row config "[[stage]] without a type" ./train nostage.toml
cfg stagetype "$base
[[stage]]
type = \"magic\""; row config "unknown stage type" ./train stagetype.toml
cfg stagekey "$base
[[stage]]
type = \"fixed_point\"
word_length = 99"; row config "stage key out of range" ./train stagekey.toml
cfg grid "$base
[sweep]
grid = { \"train.seed\" = [1,2,3,4,5,6,7,8,9,10], \"train.lr\" = [0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0], \"train.epochs\" = [1,2,3,4,5,6,7,8,9,10], \"train.batch_size\" = [1,2,3,4,5,6,7,8,9,10], \"model.width\" = [0.5, 1.0] }"
row config "sweep grid of 20,000 points" ./train grid.toml
cfg export "$base
[export]
enabled = true
precision = \"int4\""; row config "export precision int4" ./train export.toml
cfg nodata "${base/synthetic:har/mnist:nowhere}"; row config "dataset folder that does not exist" ./train nodata.toml
row config "--set without '='" ./train empty.toml --set train.lr
row config "--set of an unknown key" ./train empty.toml --set train.nope=1
cp "$CORPUS/image/png" png.toml; row config "a PNG renamed .toml" ./train png.toml
mkdir -p dir.toml; row config "a folder as the experiment" ./train dir.toml
truncate -s 1000000000000 sparse.toml 2>/dev/null && row config "10^12-byte (sparse) file" ./train sparse.toml
# ---- datasets -------------------------------------------------------------------------
printf '#!/bin/sh\nexec "%s" data inspect "$@"\n' "$SL" >inspect; chmod +x inspect
mn() { rm -rf mn; mkdir -p mn; printf "$1" >mn/t10k-images-idx3-ubyte; printf "$2" >mn/t10k-labels-idx1-ubyte; }
lab1="$(be32 2049)$(be32 1)\\x03"
row dataset "mnist: folder missing" ./inspect mnist:nowhere
mn "" "$lab1"; row dataset "mnist: 0-byte image file" ./inspect mnist:mn
mn "$(be32 1234)$(be32 1)$(be32 28)$(be32 28)" "$lab1"; row dataset "mnist: magic 1234" ./inspect mnist:mn
mn "$(be32 2051)$(be32 4294967295)$(be32 28)$(be32 28)" "$lab1"; row dataset "mnist: 2^32-1 images claimed" ./inspect mnist:mn
mn "$(be32 2051)$(be32 4096)$(be32 4096)$(be32 4096)x" "$(be32 2049)$(be32 4096)"; head -c 4096 /dev/zero >>mn/t10k-labels-idx1-ubyte
row dataset "mnist: 4096 images of 4096×4096 claimed (64 GB), 1 byte given" ./inspect mnist:mn
mn "$(be32 2051)$(be32 1)$(be32 2)$(be32 2)\\x01\\x02\\x03\\x04\\x05" "$lab1"; row dataset "mnist: trailing byte" ./inspect mnist:mn
mn "$(be32 2051)$(be32 2)$(be32 2)$(be32 2)\\x01\\x02\\x03\\x04\\x01\\x02\\x03\\x04" "$lab1"; row dataset "mnist: 2 images, 1 label" ./inspect mnist:mn
mn "\\x1f\\x8b\\x08\\x00garbage-not-deflate" "$lab1"; row dataset "mnist: corrupt gzip" ./inspect mnist:mn
mn "$(be32 2051)$(be32 1)$(be32 2)$(be32 2)\\x01\\x02\\x03\\x04" "$(be32 2049)$(be32 1)\\x0b"; row dataset "mnist: label 11 of 10 classes" ./inspect mnist:mn
cf() { rm -rf cf; mkdir cf; "$@"; }
cf touch cf/test_batch.bin; row dataset "cifar10: 0-byte batch" ./inspect cifar10:cf --subset test
cf sh -c 'head -c 3000 /dev/zero >cf/test_batch.bin'; row dataset "cifar10: 3000-byte batch" ./inspect cifar10:cf --subset test
cf sh -c '{ printf "\\012"; head -c 3072 /dev/zero; } >cf/test_batch.bin'; row dataset "cifar10: label 10" ./inspect cifar10:cf --subset test
cf truncate -s $((3073 << 28)) cf/test_batch.bin; row dataset "cifar10: 825 GB (sparse) batch" ./inspect cifar10:cf --subset test
wv() { rm -rf wv; mkdir wv; "$@"; }
wv touch wv/readme.txt; row dataset "wav: folder without .wav" ./inspect wav:wv
wv touch wv/0_a_0.wav; row dataset "wav: 0-byte clip" ./inspect wav:wv
wv sh -c 'echo text >wv/0_a_0.wav'; row dataset "wav: text named .wav" ./inspect wav:wv
wv sh -c "head -c 200 '$CORPUS/wav/0_george_0.wav' >wv/0_a_0.wav"; row dataset "wav: clip cut at 200 bytes" ./inspect wav:wv
wv cp "$CORPUS/wav/0_george_0.wav" wv/hello.wav; row dataset "wav: file name not label_speaker_n" ./inspect wav:wv
wv sh -c "{ head -c 22 '$CORPUS/wav/0_george_0.wav'; printf '\\140\\352'; tail -c +25 '$CORPUS/wav/0_george_0.wav'; } >wv/0_a_0.wav"
row dataset "wav: header says 60,000 channels" ./inspect wav:wv
hm() { rm -rf hm; mkdir -p hm/Walk; printf "$1" >hm/Walk/${2:-Accelerometer-2011-03-24-10-24-39-walk-f1.txt}; }
hm '1 2 x\n'; row dataset "hmp: non-numeric token" ./inspect hmp:hm
hm '1 2\n'; row dataset "hmp: 2 values on a line" ./inspect hmp:hm
hm '1 2 64\n'; row dataset "hmp: value 64 (range 0-63)" ./inspect hmp:hm
hm ''; row dataset "hmp: empty trial" ./inspect hmp:hm
hm '1 2 3\n' walk.txt; row dataset "hmp: file name off the pattern" ./inspect hmp:hm
uci() {
  rm -rf uci; mkdir -p "uci/test/Inertial Signals"
  printf '1 WALKING\n2 SITTING\n' >uci/activity_labels.txt; printf "${2:-1}\n" >uci/test/y_test.txt; printf '1\n' >uci/test/subject_test.txt
  for s in total_acc_x total_acc_y total_acc_z body_gyro_x body_gyro_y body_gyro_z body_acc_x body_acc_y body_acc_z; do
    seq -s ' ' 1 "$1" >"uci/test/Inertial Signals/${s}_test.txt"; done
}
uci 127; row dataset "uci-har: a line of 127 values" ./inspect uci-har:uci --subset test
uci 128 7; row dataset "uci-har: label 7 not in activity_labels" ./inspect uci-har:uci --subset test
printf '33,Jogging,49105962326000,-0.69,12.68\n' >wisdm.txt; row dataset "wisdm: record with 5 fields" ./inspect wisdm:wisdm.txt
printf '33,Jogging,49105962326000,-0.69,abc,0.5;\n' >wisdm.txt; row dataset "wisdm: non-numeric field" ./inspect wisdm:wisdm.txt
printf 'Index,Time,x,y,z\n' >Phones_accelerometer.csv; row dataset "hhar: wrong header" ./inspect hhar:Phones_accelerometer.csv
printf 'Index,Arrival_Time,Creation_Time,x,y,z,User,Model,Device,gt\n0,1,2,0.1,0.2,0.3,a,nexus4,nexus4_1,fly\n' >Phones_accelerometer.csv
row dataset "hhar: unknown activity" ./inspect hhar:Phones_accelerometer.csv
im() { rm -rf im; mkdir -p im/cat; "$@"; }
im sh -c 'echo nope >im/cat/a.png'; row dataset "images: corrupt PNG" ./inspect images:im
im sh -c "tail -c +2 '$CORPUS/image/jpg' | head -c 100 >im/cat/a.jpg"; row dataset "images: JPEG cut at 100 bytes" ./inspect images:im
rm -rf im; mkdir -p im/a im/b; touch im/a/x.txt; row dataset "images: class folder without images" ./inspect images:im
rm -rf im; mkdir im; row dataset "images: no class folders" ./inspect images:im
row dataset "unknown source prefix" ./inspect foo:bar
: >cache.h5; row dataset "cache .h5 of 0 bytes" ./inspect cache.h5
# ---- runs: results.h5, model.h5, export -------------------------------------------------
mkrun() { rm -rf runs/e/r; mkdir -p runs/e/r; cp hostile/valid/results_h5/results.h5 runs/e/r/; cp hostile/valid/model_h5/small_cnn.h5 runs/e/r/model.h5; }
row run "show a run that does not exist" "$SL" runs show e/none --runs runs
mkrun; : >runs/e/r/results.h5; row run "results.h5 of 0 bytes" "$SL" runs show e/r --runs runs
mkrun; head -c 3000 hostile/valid/results_h5/results.h5 >runs/e/r/results.h5; row run "results.h5 cut at 3000 bytes" "$SL" runs show e/r --runs runs
row run "runs list with that damaged run" "$SL" runs list --runs runs
mkrun; cp hostile/results-1e12-classes.h5 runs/e/r/results.h5; row run "results.h5 claiming 10^12 class names" "$SL" runs show e/r --runs runs
mkrun; rm runs/e/r/model.h5; row run "export a run without model.h5" "$SL" export e/r --runs runs --no-measure
mkrun; : >runs/e/r/model.h5; row run "export: model.h5 of 0 bytes" "$SL" export e/r --runs runs --no-measure
mkrun; head -c 5000 hostile/valid/model_h5/small_cnn.h5 >runs/e/r/model.h5; row run "export: model.h5 cut at 5000 bytes" "$SL" export e/r --runs runs --no-measure
mkrun; cp hostile/weights-16gb.h5 runs/e/r/model.h5; row run "export: model.h5 claiming 16 GB of weights" "$SL" export e/r --runs runs --no-measure
mkrun; cp hostile/cyclic-model.h5 runs/e/r/model.h5; row run "export: model.h5 whose layer reads itself" "$SL" export e/r --runs runs --no-measure
mkrun; row run "export --precision int4" "$SL" export e/r --runs runs --precision int4 --no-measure
touch afile; row run "runs show of a file, not a run folder" "$SL" runs show afile
rm -rf runs; row run "plot with no runs" "$SL" plot --runs runs -o p.svg
