/* slimrt streaming C API (library slimrt_frontend): raw sensor samples in, a class per
 * hop and a smoothed class out, for a model whose graph starts with a front-end op
 * (AudioFeatures or DeepSenseFeatures reading the model's input; docs/SLIMRT.md
 * "Streaming API").
 *
 *   slimrt_stream* s;  slimrt_stream_options o;  slimrt_stream_options_init(&o);
 *   o.input_rate = 44100; o.input_channels = 2;      (the device's; 0: the model's)
 *   slimrt_stream_open(model, &o, &s);
 *   while (read(chunk)) slimrt_stream_push(s, chunk, frames, on_decision, user);
 *   slimrt_stream_finish(s, on_decision, user);       (the end of the recording)
 *   slimrt_stream_free(s);
 *
 * Window w covers stream frames [w·hop, w·hop + window) at the model's rate; its
 * decision is made when its last frame arrives, and equals the model's output on those
 * frames run one-shot. A float front end reuses the feature columns consecutive windows
 * share. Everything is allocated by slimrt_stream_open; slimrt_stream_push and
 * slimrt_stream_finish never allocate.
 *
 * Another rate or channel count than the model's (input_rate, input_channels) is
 * converted inside the stream as the samples arrive, exactly as the workbench converts a
 * whole recording before training: several audio channels are mixed to mono (the mean,
 * slimrt_mix_to_mono), then audio models (AudioFeatures) resample band-limited
 * (slimrt_resampler, datasets/resample.cpp) and inertial models (DeepSenseFeatures,
 * Resample) linearly (datasets/har_windows.cpp resample_linear). The decisions are then
 * those of resampling the whole recording first and streaming it at the model's rate,
 * bit for bit, once slimrt_stream_finish has pushed the resampler's last frames (the
 * band-limited filter waits for about 67 input samples past a frame, the linear one
 * for one). Frames, hop, window, end_frame and end_s are in the model's time base. */
#ifndef SLIMRT_STREAM_H_
#define SLIMRT_STREAM_H_

#include "slimrt/slimrt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Adds the front-end ops to slimrt's op table: call once before loading a model that
 * has them (slimrt_stream_open calls it too). Without it such a model fails to load with
 * "this slimrt has no implementation of the op". */
SLIMRT_API void slimrt_frontend_register(void);

typedef enum slimrt_smoothing {
  SLIMRT_SMOOTH_FROM_FILE = -1, /* the model's first op says (FrontEnd.smooth_mode) */
  SLIMRT_SMOOTH_VOTE = 0,       /* majority of the last N classes (ties: the latest) */
  SLIMRT_SMOOTH_MEAN = 1        /* arg max of the mean of the last N output vectors */
} slimrt_smoothing;

typedef struct slimrt_stream_options {
  int64_t hop;          /* frames between decisions; 0: the file's stream_hop (0 there: the window) */
  int smooth_window;    /* N decisions smoothed; -1: the file's; 0 or 1: no smoothing */
  int smooth_mode;      /* slimrt_smoothing */
  int reuse;            /* 1: reuse overlapping feature columns (float front ends); 0: recompute */
  const char* isa;      /* NULL: fastest kernels; "ref", … as slimrt_interpreter_create */
  /* Appended later (C ABI: fields only ever added at the end; init sets them all): */
  double input_rate;    /* Hz of the pushed samples; 0 (or the model's rate): no resampling.
                           open refuses a rate that is not positive and finite, audio more
                           than 16× upsampling (the workbench's limit) and, for every model,
                           more than 64× downsampling; inertial more than 64× upsampling */
  int input_channels;   /* values per pushed frame; 0: the model's. Audio models (mono) mix
                           more channels to mono; others must take the model's count */
  int64_t max_chunk;    /* frames converted at a time when resampling / mixing (sizes what
                           open allocates); 0: 4096, at most 2^20. A longer push is split
                           internally, never refused */
} slimrt_stream_options;

typedef struct slimrt_decision {
  int64_t window;       /* index of the window, from 0 */
  int64_t end_frame;    /* the window covers frames [end_frame − window, end_frame), counted
                           at the model's rate (after in-stream resampling) */
  double end_s;         /* end_frame / the model's sample rate (0 when unknown): seconds of
                           the recording, whatever input_rate is */
  int cls;              /* arg max of output 0 */
  float score;          /* its value */
  int smoothed_cls;     /* after smoothing over the last N decisions */
  float smoothed_score; /* vote: share of the N votes; mean: the mean output value */
} slimrt_decision;

typedef void (*slimrt_decision_fn)(const slimrt_decision* decision, void* user);

SLIMRT_API void slimrt_stream_options_init(slimrt_stream_options* options);
typedef struct slimrt_stream slimrt_stream;
/* Fails (SLIMRT_ERROR_INVALID_ARGUMENT, message) when the model's first op is not a
 * front-end op reading input 0, or an option is out of range. */
SLIMRT_API slimrt_status slimrt_stream_open(const slimrt_model* model, const slimrt_stream_options* options,
                                            slimrt_stream** out);
SLIMRT_API void slimrt_stream_free(slimrt_stream* stream);
/* frames × slimrt_stream_input_channels() interleaved samples at input_rate; any count.
 * Calls fn (may be NULL) for every window that completes. A NaN or infinite sample
 * refuses the whole chunk (nothing is consumed; the message names the frame and
 * channel); so does a push after slimrt_stream_finish. */
SLIMRT_API slimrt_status slimrt_stream_push(slimrt_stream* stream, const float* samples, size_t frames,
                                            slimrt_decision_fn fn, void* user);
/* The end of the recording: when resampling, the frames still held back (the end padded
 * as the workbench pads a whole recording) go through and fn is called for the windows
 * they complete; nothing to do otherwise. Later pushes are refused until reset. */
SLIMRT_API slimrt_status slimrt_stream_finish(slimrt_stream* stream, slimrt_decision_fn fn, void* user);
SLIMRT_API void slimrt_stream_reset(slimrt_stream* stream); /* forget the samples and decisions */
SLIMRT_API int slimrt_stream_channels(const slimrt_stream* stream);       /* the model's */
SLIMRT_API int slimrt_stream_input_channels(const slimrt_stream* stream); /* per pushed frame */
SLIMRT_API double slimrt_stream_input_rate(const slimrt_stream* stream);  /* of the pushed samples */
SLIMRT_API int64_t slimrt_stream_frames(const slimrt_stream* stream);     /* at the model's rate, so far */
SLIMRT_API int64_t slimrt_stream_window(const slimrt_stream* stream);
SLIMRT_API int64_t slimrt_stream_hop(const slimrt_stream* stream);
SLIMRT_API int slimrt_stream_smooth_window(const slimrt_stream* stream);
SLIMRT_API int slimrt_stream_smooth_mode(const slimrt_stream* stream);
SLIMRT_API double slimrt_stream_sample_rate(const slimrt_stream* stream); /* the model's */
SLIMRT_API int slimrt_stream_reusing(const slimrt_stream* stream); /* 1 when feature columns are reused */
/* Switch the model's operating point (slimrt_set_point) for the next hops; the samples
 * and decisions so far are kept. Every point must start with the same front end. */
SLIMRT_API slimrt_status slimrt_stream_set_point(slimrt_stream* stream, int index);
SLIMRT_API int slimrt_stream_point(const slimrt_stream* stream);
/* Output 0 of the last completed window (count = its numel). */
SLIMRT_API slimrt_status slimrt_stream_output(const slimrt_stream* stream, float* data, size_t count);

/* Band-limited resampling of mono audio as it arrives (Kaiser-windowed sinc, bit for
 * bit the workbench's datasets/resample.cpp over the whole recording; docs/SLIMRT.md
 * "Sensor front end"), for a microphone or file at another rate than the model's
 * (slimrt_stream_sample_rate). open refuses (SLIMRT_ERROR_INVALID_ARGUMENT, message)
 * rates that are not positive and finite and more than 16× upsampling, as the workbench
 * does; equal rates copy. push takes at most max_frames samples and writes the outputs
 * whose inputs have all arrived; finish writes the rest (the end padded with zeros). y
 * holds slimrt_resampler_max_output() floats. Everything is allocated by open. */
typedef struct slimrt_resampler slimrt_resampler;
SLIMRT_API slimrt_status slimrt_resampler_open(double from_hz, double to_hz, size_t max_frames,
                                               slimrt_resampler** out);
SLIMRT_API size_t slimrt_resampler_max_output(const slimrt_resampler* resampler);
SLIMRT_API slimrt_status slimrt_resampler_push(slimrt_resampler* resampler, const float* x, size_t frames, float* y,
                                               size_t* y_frames);
SLIMRT_API slimrt_status slimrt_resampler_finish(slimrt_resampler* resampler, float* y, size_t* y_frames);
SLIMRT_API void slimrt_resampler_free(slimrt_resampler* resampler);
/* frames × channels interleaved → frames: the mean of each frame's channels, as the
 * workbench mixes multichannel WAV files down to mono. */
SLIMRT_API slimrt_status slimrt_mix_to_mono(const float* x, size_t frames, int channels, float* y);

#ifdef __cplusplus
}
#endif

#endif /* SLIMRT_STREAM_H_ */
