/* The verify harness: runs every test vector through slim_model_run() and prints
 *   match <k>/<n>   vectors whose output bytes equal slimrt's
 *   ticks <t>       clock ticks over the n inferences (smcu_ticks)
 *   stack <s>       the deepest stack any inference used (painted stack)
 *   arena <a>       the model's static arena */
#include "slim_model.h"
#include "smcu_platform.h"

extern const int smcu_vec_count;
extern const uint8_t smcu_vec_in[];
extern const uint8_t smcu_vec_out[];

static void print_num(const char* key, uint64_t v, const char* sep, uint64_t v2, int two) {
  char buf[64];
  char digits[24];
  int n = 0, k, i = 0;
  while (key[i]) { buf[n++] = key[i]; ++i; }
  buf[n++] = ' ';
  for (k = 0; k < (two ? 2 : 1); ++k) {
    uint64_t x = k ? v2 : v;
    int d = 0;
    do { digits[d++] = (char)('0' + (int)(x % 10)); x /= 10; } while (x);
    while (d) buf[n++] = digits[--d];
    if (!k && two) { i = 0; while (sep[i]) buf[n++] = sep[i++]; }
  }
  buf[n] = 0;
  smcu_print(buf);
}

int main(void) {
  int v, k = 0;
  uint32_t i, stack = 0;
  uint64_t ticks = 0;
  for (v = 0; v < smcu_vec_count; ++v) {
    uint8_t* in = (uint8_t*)slim_model_input();
    const uint8_t* out;
    const uint8_t* want = smcu_vec_out + (uint32_t)v * SLIM_MODEL_OUTPUT_BYTES;
    uint64_t t0;
    uint32_t s, same = 1;
    for (i = 0; i < SLIM_MODEL_INPUT_BYTES; ++i) in[i] = smcu_vec_in[(uint32_t)v * SLIM_MODEL_INPUT_BYTES + i];
    smcu_stack_paint();
    t0 = smcu_ticks();
    slim_model_run();
    ticks += smcu_ticks() - t0;
    s = smcu_stack_used();
    if (s > stack) stack = s;
    out = (const uint8_t*)slim_model_output();
    for (i = 0; i < SLIM_MODEL_OUTPUT_BYTES; ++i)
      if (out[i] != want[i]) same = 0;
    k += (int)same;
  }
  print_num("match", (uint64_t)k, "/", (uint64_t)smcu_vec_count, 1);
  print_num("ticks", ticks, "", 0, 0);
  print_num("stack", stack, "", 0, 0);
  print_num("arena", SLIM_MODEL_ARENA_BYTES, "", 0, 0);
  return k == smcu_vec_count ? 0 : 1;
}
