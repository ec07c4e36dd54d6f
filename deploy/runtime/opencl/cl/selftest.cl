// Kernels used only by the tests to check common.cl's arithmetic against the C++
// headers exhaustively (tests/runtime/test_opencl.cpp).
__kernel void selftest_requantize(__global const long* acc, __global const int* params, __global long* out, int n) {
  const size_t i = get_global_id(0);
  if (i >= (size_t)n) return;
  out[i] = fx_requantize(acc[i], params[3 * i], params[3 * i + 1], params[3 * i + 2]);
}
__kernel void selftest_quantize(__global const float* x, __global const int* params, __global long* out, int n) {
  const size_t i = get_global_id(0);
  if (i >= (size_t)n) return;
  out[i] = fx_quantize_f(x[i], params[2 * i], params[2 * i + 1]);
}
__kernel void selftest_mean(__global const long* sum, __global const int* params, __global long* out, int n) {
  const size_t i = get_global_id(0);
  if (i >= (size_t)n) return;
  out[i] = fx_mean(sum[i], params[3 * i], params[3 * i + 1], params[3 * i + 2]);
}
__kernel void selftest_popcount(__global const ulong* a, __global int* out, int n) {
  const size_t i = get_global_id(0);
  if (i >= (size_t)n) return;
  out[i] = (int)popcount(a[i]);
}
