/* slimrt-sensor-app: an example device app written against slimrt's public C API only
 * (slimrt/slimrt.h + slimrt/stream.h). It loads a .slim whose graph starts with a
 * front-end op, reads raw sensor data from stdin — a WAV file (PCM 8/16/24/32-bit or
 * float 32/64, any channel count) or CSV of sensor samples (one row per time step) —,
 * pushes it through slimrt_stream_push in chunks as it arrives and prints one line per
 * decision: the end time of the window in seconds, the smoothed class and its score
 * (vote: share of the votes; mean: mean probability), tab-separated.
 *
 *   slimrt-sensor-app kws.slim < clip.wav
 *   arecord -f S16_LE -r 8000 -c 1 | slimrt-sensor-app kws.slim --hop 800
 *   slimrt-sensor-app har.slim --columns x,y,z --rate 50 < recording.csv
 *
 * Input at another rate than the model's (the WAV header's, or --rate HZ) is resampled
 * inside the stream as it arrives (slimrt_stream_options.input_rate: audio band-limited,
 * inertial data linearly, as the workbench) and several WAV channels are mixed down to
 * mono there for a mono model (input_channels), each noted on stderr. Bad input gets a
 * message naming the stdin byte offset or line, and exit status 1. C99; see
 * deploy/examples/README.md. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slimrt/slimrt.h"
#include "slimrt/stream.h"

#define MAX_COLUMNS 1024

typedef struct options {
  const char* model;
  long chunk;           /* frames per push; 0: the stream's hop */
  long hop;             /* 0: the file's */
  double rate;          /* Hz of the input; 0: the WAV header's, else the model's */
  int smooth;           /* -1: the file's */
  int smooth_mode;      /* -1: the file's */
  const char* columns;  /* CSV: names or 0-based positions, comma-separated; NULL: all */
} options;

typedef struct app {
  const slimrt_model* model;
  slimrt_stream* stream;
  slimrt_stream_options options;
  int channels;           /* what the stream takes per frame (slimrt_stream_input_channels) */
  size_t chunk;           /* frames per push */
  float* buf;             /* chunk × channels */
  size_t fill;            /* frames in buf */
  uint64_t pushed;        /* frames pushed so far */
} app;

/* "slimrt-sensor-app: <prefix><message>" on stderr. */
static void report(const char* prefix, const char* fmt, va_list ap) {
  fprintf(stderr, "slimrt-sensor-app: %s", prefix);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

static void die(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report("", fmt, ap);
  va_end(ap);
  exit(1);
}

static void note(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report("note: ", fmt, ap);
  va_end(ap);
}

static void* xmalloc(size_t bytes) {
  void* p = malloc(bytes ? bytes : 1);
  if (!p) die("out of memory (%lu bytes)", (unsigned long)bytes);
  return p;
}

/* ---- the stream ------------------------------------------------------------------ */

static void on_decision(const slimrt_decision* d, void* user) {
  const app* a = (const app*)user;
  const char* name = slimrt_model_class_name(a->model, d->smoothed_cls);
  if (name) printf("%.3f\t%s\t%.4f\n", d->end_s, name, (double)d->smoothed_score);
  else printf("%.3f\t%d\t%.4f\n", d->end_s, d->smoothed_cls, (double)d->smoothed_score);
}

static void flush(app* a) {
  if (!a->fill) return;
  if (slimrt_stream_push(a->stream, a->buf, a->fill, on_decision, a) != SLIMRT_OK)
    die("stdin: frames %llu .. %llu: %s", (unsigned long long)a->pushed,
        (unsigned long long)(a->pushed + a->fill - 1), slimrt_last_error());
  a->pushed += a->fill;
  a->fill = 0;
  fflush(stdout);
}

/* One frame (a->channels values) into the chunk buffer; pushed when the chunk is full. */
static void add_frame(app* a, const float* v) {
  memcpy(a->buf + a->fill * (size_t)a->channels, v, sizeof(float) * (size_t)a->channels);
  if (++a->fill == a->chunk) flush(a);
}

/* (Re)opens the stream with a->options; `who` names the culprit of a refusal. */
static void open_stream(app* a, const char* who) {
  slimrt_stream_free(a->stream);
  a->stream = NULL;
  if (slimrt_stream_open(a->model, &a->options, &a->stream) != SLIMRT_OK) die("%s: %s", who, slimrt_last_error());
  a->channels = slimrt_stream_input_channels(a->stream);
  free(a->buf);
  a->buf = a->chunk ? (float*)xmalloc(a->chunk * (size_t)a->channels * sizeof(float)) : NULL;
}

/* The input at `rate` Hz (0: the model's) with `channels` values per frame: converted
 * inside the stream when that is not what the model takes. */
static void conform(app* a, double rate, int channels) {
  const double model_rate = slimrt_stream_sample_rate(a->stream);
  const int model_channels = slimrt_stream_channels(a->stream);
  if (channels != model_channels && model_channels != 1)
    die("stdin: %d channels, the model's front end takes %d", channels, model_channels);
  if ((rate <= 0 || rate == model_rate) && channels == model_channels) return;
  a->options.input_rate = rate;
  a->options.input_channels = channels;
  open_stream(a, "stdin");
  if (channels > model_channels) note("stdin: %d channels mixed down to mono", channels);
}

static void finish(app* a) {
  const double rate = slimrt_stream_input_rate(a->stream), model_rate = slimrt_stream_sample_rate(a->stream);
  long long frames;
  flush(a);
  /* The resampler's last samples (the end of the recording). */
  if (slimrt_stream_finish(a->stream, on_decision, a) != SLIMRT_OK) die("stdin: %s", slimrt_last_error());
  frames = (long long)slimrt_stream_frames(a->stream);
  if (rate != model_rate)
    note("stdin: resampled from %.0f Hz to the model's %.0f Hz (%llu → %lld samples, inside the stream, as the workbench)",
         rate, model_rate, (unsigned long long)a->pushed, frames);
  if (frames < slimrt_stream_window(a->stream))
    note("stdin: %lld frames, shorter than one window (%lld): no decision", frames,
         (long long)slimrt_stream_window(a->stream));
}

/* ---- WAV ------------------------------------------------------------------------- */

typedef struct reader {
  FILE* f;
  uint64_t pos; /* bytes read so far */
} reader;

static size_t get(reader* r, void* dst, size_t n) {
  const size_t k = fread(dst, 1, n, r->f);
  r->pos += k;
  return k;
}

static uint32_t le32(const unsigned char* p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static unsigned le16(const unsigned char* p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }

typedef struct wav_format {
  int tag, channels, bits, block;
  double rate;
} wav_format;

/* The 'fmt ' chunk body at stdin offset `at`: PCM 8/16/24/32, float 32/64, extensible. */
static wav_format parse_fmt(const unsigned char* b, uint32_t len, uint64_t at) {
  wav_format f;
  unsigned long long o = (unsigned long long)at;
  if (len < 16) die("stdin: byte %llu: 'fmt ' chunk of %lu bytes (at least 16)", o, (unsigned long)len);
  f.tag = (int)le16(b);
  f.channels = (int)le16(b + 2);
  f.rate = (double)le32(b + 4);
  f.block = (int)le16(b + 12);
  f.bits = (int)le16(b + 14);
  if (f.tag == 0xFFFE) {
    if (len < 40) die("stdin: byte %llu: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of %lu bytes (40)", o, (unsigned long)len);
    f.tag = (int)le16(b + 24); /* the subformat GUID's first two bytes: the format code */
  }
  if (f.tag != 1 && f.tag != 3) die("stdin: byte %llu: WAV format code %d is not PCM (1) or IEEE float (3)", o, f.tag);
  if (f.tag == 1 ? !(f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32) : !(f.bits == 32 || f.bits == 64))
    die("stdin: byte %llu: %d-bit %s samples are not supported", o + 14, f.bits, f.tag == 1 ? "PCM" : "float");
  if (f.channels < 1 || f.channels > 64) die("stdin: byte %llu: %d channels (1 .. 64)", o + 2, f.channels);
  if (f.rate < 1 || f.rate > 1e7) die("stdin: byte %llu: sample rate %.0f Hz", o + 4, f.rate);
  if (f.block != f.channels * f.bits / 8)
    die("stdin: byte %llu: block align %d is not channels × bytes per sample = %d", o + 12, f.block,
        f.channels * f.bits / 8);
  return f;
}

/* One sample, scaled as libsndfile (and slimrt-run, and the workbench) scale it. */
static float wav_sample(const wav_format* f, const unsigned char* p) {
  switch (f->bits) {
    case 8: return ((float)p[0] - 128.0f) / 128.0f;
    case 16: return (float)(int16_t)le16(p) / 32768.0f;
    case 24: {
      const int32_t v = (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24) >> 8;
      return (float)((double)v / 8388608.0);
    }
    case 32:
      if (f->tag == 3) {
        float v;
        memcpy(&v, p, 4);
        return v;
      } else {
        return (float)((double)(int32_t)le32(p) / 2147483648.0);
      }
    default: {
      double v;
      memcpy(&v, p, 8);
      return (float)v;
    }
  }
}

/* Reads the header up to the 'data' chunk's body; returns its declared length. */
static uint32_t wav_header(reader* r, wav_format* f) {
  unsigned char h[12], body[64];
  int have_fmt = 0;
  if (get(r, h + 4, 8) != 8 || memcmp(h + 8, "WAVE", 4) != 0)
    die("stdin: not a RIFF/WAVE file (no 'RIFF' … 'WAVE' header)");
  for (;;) {
    const uint64_t at = r->pos;
    uint32_t len;
    if (get(r, h, 8) != 8) die(have_fmt ? "stdin: byte %llu: no 'data' chunk" : "stdin: byte %llu: no 'fmt ' chunk",
                               (unsigned long long)at);
    len = le32(h + 4);
    if (!memcmp(h, "data", 4)) {
      if (!have_fmt) die("stdin: byte %llu: 'data' chunk before the 'fmt ' chunk", (unsigned long long)at);
      return len;
    }
    if (!memcmp(h, "fmt ", 4)) {
      const uint32_t keep = len < sizeof body ? len : (uint32_t)sizeof body;
      if (get(r, body, keep) != keep) die("stdin: byte %llu: 'fmt ' chunk runs past the end of the input", (unsigned long long)at);
      *f = parse_fmt(body, len, at + 8);
      have_fmt = 1;
      len = len - keep + (len & 1);
    } else {
      len += len & 1;
    }
    for (; len > 0; --len) /* skip the rest of the chunk (and its pad byte) */
      if (fgetc(r->f) == EOF) die("stdin: byte %llu: chunk '%.4s' runs past the end of the input", (unsigned long long)at, h);
      else r->pos++;
  }
}

/* The data chunk in blocks of `a->chunk` frames: converted, checked, pushed (the stream
 * mixes down and resamples). */
static void wav_data(app* a, reader* r, const wav_format* f, uint32_t declared) {
  const int C = f->channels;
  const size_t block = (size_t)f->block, step = (size_t)(f->bits / 8);
  const int until_eof = declared == 0 || declared == 0xFFFFFFFFu; /* streamed WAV (arecord) */
  const uint64_t start = r->pos;
  unsigned char* raw = (unsigned char*)xmalloc(a->chunk * block);
  float* frames = (float*)xmalloc(a->chunk * (size_t)C * sizeof(float));
  uint64_t left = declared, total = 0;
  size_t got, i, n;
  for (;;) {
    size_t want = a->chunk * block;
    if (!until_eof && left < want) want = (size_t)left;
    if (want == 0 || (got = get(r, raw, want)) == 0) break;
    left -= got;
    n = got / block;
    if (got % block) note("stdin: byte %llu: %lu trailing bytes are not a whole frame: ignored",
                          (unsigned long long)(r->pos - got % block), (unsigned long)(got % block));
    for (i = 0; i < n * (size_t)C; ++i) {
      frames[i] = wav_sample(f, raw + i * step);
      if (!isfinite(frames[i]))
        die("stdin: byte %llu: sample is NaN or infinite", (unsigned long long)(r->pos - got + i * step));
    }
    for (i = 0; i < n; ++i) add_frame(a, frames + i * (size_t)C);
    total += n;
    if (got < want) break;
  }
  if (total == 0) die("stdin: byte %llu: the 'data' chunk holds no whole frame", (unsigned long long)start);
  if (!until_eof && left > 0)
    note("stdin: the data chunk ends at byte %llu, %llu bytes short of its declared length: read its %llu whole frames",
         (unsigned long long)r->pos, (unsigned long long)left, (unsigned long long)total);
  free(raw);
  free(frames);
}

static void run_wav(app* a, reader* r, double rate) {
  wav_format f = {0, 0, 0, 0, 0.0};
  const uint32_t declared = wav_header(r, &f);
  conform(a, rate > 0 ? rate : f.rate, f.channels);
  wav_data(a, r, &f, declared);
  finish(a);
}

/* ---- CSV ------------------------------------------------------------------------- */

/* The bytes read from stdin to tell WAV from CSV, given back first. */
static unsigned char pending[4];
static size_t pending_n, pending_at;

static int next_char(void) {
  if (pending_at < pending_n) return pending[pending_at++];
  return fgetc(stdin);
}

/* One line of stdin without its '\n' into *buf (grown as needed); 0 at the end. */
static int read_line(char** buf, size_t* cap) {
  size_t n = 0;
  int ch;
  while ((ch = next_char()) != EOF && ch != '\n') {
    if (n + 2 > *cap) {
      *cap = *cap ? *cap * 2 : 256;
      *buf = (char*)realloc(*buf, *cap);
      if (!*buf) die("stdin: out of memory reading a line");
    }
    (*buf)[n++] = (char)ch;
  }
  if (ch == EOF && n == 0) return 0;
  if (!*buf) {
    *cap = 256;
    *buf = (char*)xmalloc(*cap);
  }
  (*buf)[n] = '\0';
  return 1;
}

/* Splits a line in place as slimrt-run does: ',' and ';' separate fields (an empty
 * field is a missing value), spaces, tabs and '\r' only delimit. */
static int split_fields(char* s, char** field, int max, long line) {
  int n = 0, any = 0;
  char* out = s;
  char* cur = s;
  for (;; ++s) {
    const char ch = *s;
    const int sep = ch == ',' || ch == ';', blank = ch == ' ' || ch == '\t' || ch == '\r', end = ch == '\0';
    if (sep || ((blank || end) && any)) {
      if (n == max) die("stdin:%ld: more than %d values", line, max);
      *out++ = '\0';
      field[n++] = cur;
      cur = out;
      any = 0;
    } else if (!blank && !end) {
      *out++ = ch;
      any = 1;
    }
    if (end) return n;
    if (blank && !any) cur = out;
  }
}

static int number(const char* s, float* v) {
  char* end = NULL;
  if (!*s) return 0;
  *v = strtof(s, &end);
  return end && *end == '\0';
}

typedef struct csv {
  char* names[MAX_COLUMNS];
  int cols;
  int pick[MAX_COLUMNS], picked;
} csv;

/* --columns against the header (names) or positions; all columns without it. */
static void pick_columns(csv* t, const char* spec) {
  char* copy;
  char* field[MAX_COLUMNS];
  int i, k, n;
  if (!spec) {
    for (t->picked = 0; t->picked < t->cols; ++t->picked) t->pick[t->picked] = t->picked;
    return;
  }
  copy = (char*)xmalloc(strlen(spec) + 1);
  strcpy(copy, spec);
  n = split_fields(copy, field, MAX_COLUMNS, 0);
  for (k = 0; k < n; ++k) {
    int col = -1;
    for (i = 0; i < t->cols && col < 0; ++i)
      if (t->names[i] && !strcmp(t->names[i], field[k])) col = i;
    if (col < 0 && field[k][0] && strspn(field[k], "0123456789") == strlen(field[k]) && strlen(field[k]) < 6)
      col = atoi(field[k]);
    if (col < 0 || col >= t->cols)
      die("stdin: no column '%s' (the input has %d columns%s)", field[k], t->cols, t->names[0] ? "" : ", no header");
    t->pick[t->picked++] = col;
  }
  free(copy);
}

static void run_csv(app* a, const char* columns, double rate) {
  csv t;
  char* line = NULL;
  char* field[MAX_COLUMNS];
  float row[MAX_COLUMNS], frame[MAX_COLUMNS];
  size_t cap = 0;
  long line_no = 0;
  int i, n, header = 0, bad;
  memset(&t, 0, sizeof t);
  conform(a, rate, a->channels);
  while (read_line(&line, &cap)) {
    ++line_no;
    n = split_fields(line, field, MAX_COLUMNS, line_no);
    if (n == 0 || field[0][0] == '#') continue;
    for (bad = -1, i = 0; i < n && bad < 0; ++i)
      if (!number(field[i], &row[i])) bad = i;
    if (bad >= 0 && !header && a->pushed + a->fill == 0 && t.cols == 0) { /* the header */
      for (i = 0; i < n; ++i) {
        t.names[i] = (char*)xmalloc(strlen(field[i]) + 1);
        strcpy(t.names[i], field[i]);
      }
      t.cols = n;
      header = 1;
      pick_columns(&t, columns);
      continue;
    }
    if (bad >= 0) die("stdin:%ld: column %d: '%s' is not a number", line_no, bad + 1, field[bad]);
    if (t.cols == 0) {
      t.cols = n;
      pick_columns(&t, columns);
    }
    if (n != t.cols) die("stdin:%ld: %d values, expected %d (as the %s)", line_no, n, t.cols, header ? "header" : "first row");
    if (t.picked != a->channels)
      die("stdin:%ld: %d columns, the model's front end takes %d%s", line_no, t.picked, a->channels,
          columns ? "" : " (pick them with --columns)");
    for (i = 0; i < n; ++i)
      if (!isfinite(row[i])) die("stdin:%ld: column %d is NaN or infinite", line_no, i + 1);
    for (i = 0; i < t.picked; ++i) frame[i] = row[t.pick[i]];
    add_frame(a, frame);
  }
  if (a->pushed + a->fill == 0) die("stdin: no rows of numbers");
  for (i = 0; i < t.cols; ++i) free(t.names[i]);
  free(line);
  finish(a);
}

/* ---- main ------------------------------------------------------------------------ */

static void usage(FILE* to) {
  fputs("usage: slimrt-sensor-app MODEL.slim [--chunk N] [--hop N] [--smooth N] [--smooth-mode vote|mean]\n"
        "                         [--columns a,b,c] [--rate HZ] < input.wav|input.csv\n"
        "Prints one line per decision: end time (s), smoothed class, its score.\n"
        "--rate HZ: the input's sample rate (default: the WAV header's; CSV: the model's).\n", to);
}

static long count_arg(int argc, char** argv, int* i, long lo, long hi) {
  char* end = NULL;
  long v;
  if (*i + 1 >= argc) die("%s needs a value", argv[*i]);
  v = strtol(argv[*i + 1], &end, 10);
  if (!*argv[*i + 1] || *end || v < lo || v > hi) die("%s: '%s' is not a whole number in %ld .. %ld", argv[*i], argv[*i + 1], lo, hi);
  *i += 1;
  return v;
}

static options parse_args(int argc, char** argv) {
  options o = {NULL, 0, 0, 0.0, -1, -1, NULL};
  int i;
  for (i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      exit(0);
    } else if (!strcmp(argv[i], "--chunk")) o.chunk = count_arg(argc, argv, &i, 1, 1L << 20);
    else if (!strcmp(argv[i], "--hop")) o.hop = count_arg(argc, argv, &i, 1, 1L << 30);
    else if (!strcmp(argv[i], "--smooth")) o.smooth = (int)count_arg(argc, argv, &i, 0, 1024);
    else if (!strcmp(argv[i], "--smooth-mode") && i + 1 < argc) {
      ++i;
      if (strcmp(argv[i], "vote") && strcmp(argv[i], "mean")) die("--smooth-mode: '%s' is not vote or mean", argv[i]);
      o.smooth_mode = strcmp(argv[i], "mean") ? SLIMRT_SMOOTH_VOTE : SLIMRT_SMOOTH_MEAN;
    } else if (!strcmp(argv[i], "--columns") && i + 1 < argc) o.columns = argv[++i];
    else if (!strcmp(argv[i], "--rate") && i + 1 < argc) {
      char* end = NULL;
      ++i;
      o.rate = strtod(argv[i], &end);
      if (!*argv[i] || *end || !(o.rate > 0) || !isfinite(o.rate)) die("--rate: '%s' is not a positive number of Hz", argv[i]);
    }
    else if (argv[i][0] == '-' || o.model) {
      usage(stderr);
      die("unexpected argument '%s'", argv[i]);
    } else o.model = argv[i];
  }
  if (!o.model) {
    usage(stderr);
    exit(1);
  }
  return o;
}

int main(int argc, char** argv) {
  const options o = parse_args(argc, argv);
  slimrt_model* model = NULL;
  app a;
  reader r;
  slimrt_frontend_register();
  if (slimrt_model_load_file(o.model, &model) != SLIMRT_OK) die("%s", slimrt_last_error());
  memset(&a, 0, sizeof a);
  a.model = model;
  slimrt_stream_options_init(&a.options);
  a.options.hop = o.hop;
  a.options.smooth_window = o.smooth;
  a.options.smooth_mode = o.smooth_mode;
  open_stream(&a, o.model); /* the model's rate and channels; reopened for another input */
  a.chunk = (size_t)(o.chunk > 0 ? o.chunk : slimrt_stream_hop(a.stream));
  a.options.max_chunk = a.chunk < (1u << 20) ? (int64_t)a.chunk : (int64_t)1 << 20; /* pushes are not split */
  a.buf = (float*)xmalloc(a.chunk * (size_t)a.channels * sizeof(float));
  r.f = stdin;
  r.pos = 0;
  pending_n = get(&r, pending, 4);
  if (pending_n == 4 && !memcmp(pending, "RIFF", 4)) run_wav(&a, &r, o.rate);
  else if (pending_n == 0) die("stdin: empty input (expected WAV or CSV)");
  else run_csv(&a, o.columns, o.rate);
  if (fflush(stdout) != 0 || ferror(stdout)) die("cannot write the decisions");
  slimrt_stream_free(a.stream);
  slimrt_model_free(model);
  free(a.buf);
  return 0;
}
