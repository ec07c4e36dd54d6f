/* Cortex-M (M0 / M3 / M4 / M33) startup and platform for the qemu boards and real parts:
 * the vector table, the reset handler (.data copy, .bss zero), semihosting output and exit
 * (bkpt 0xAB: SYS_WRITE0, SYS_EXIT), SysTick as a clock (wraps counted in its interrupt)
 * and the painted-stack high-water mark. No CMSIS headers needed: the few core registers
 * are written by address. */
#include <stdint.h>

#include "smcu_platform.h"

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__, __stack_top__;
int main(void);

#define SMCU_REG(a) (*(volatile uint32_t*)(a))
#define SYST_CSR SMCU_REG(0xE000E010u)
#define SYST_RVR SMCU_REG(0xE000E014u)
#define SYST_CVR SMCU_REG(0xE000E018u)
#define SMCU_PAINT 0xA5A5A5A5u

static int smcu_semihost(int op, const void* arg) {
  register int r0 __asm("r0") = op;
  register const void* r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static void smcu_exit(int code) {
  /* SYS_EXIT: ADP_Stopped_ApplicationExit (status 0) or ADP_Stopped_RunTimeErrorUnknown (1). */
  smcu_semihost(0x18, (const void*)(uintptr_t)(code == 0 ? 0x20026u : 0x20023u));
  for (;;) {
  }
}

void smcu_print(const char* s) {
  smcu_semihost(0x04, s);
  smcu_semihost(0x04, "\n");
}

static volatile uint32_t smcu_wraps;
void SysTick_Handler(void) { ++smcu_wraps; }

uint64_t smcu_ticks(void) {
  uint32_t w, v;
  do {
    w = smcu_wraps;
    v = SYST_CVR;
  } while (w != smcu_wraps);
  return ((uint64_t)w << 24) + (0xFFFFFFu - v);
}

static uint32_t* smcu_sp(void) {
  uint32_t* sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  return sp;
}
/* The stack is painted (and scanned) over at most 64 KiB below the current frame. */
static uint32_t* smcu_paint_lo;
void smcu_stack_paint(void) {
  uint32_t* end = smcu_sp() - 32;
  uint32_t* p = end - 16384 > &__bss_end__ ? end - 16384 : &__bss_end__;
  smcu_paint_lo = p;
  while (p < end) *p++ = SMCU_PAINT;
}
uint32_t smcu_stack_used(void) {
  const uint32_t* p = smcu_paint_lo;
  while (p < &__stack_top__ && *p == SMCU_PAINT) ++p;
  return (uint32_t)((const char*)&__stack_top__ - (const char*)p);
}

void Reset_Handler(void) {
  uint32_t* s = &__data_load__;
  uint32_t* d = &__data_start__;
  while (d < &__data_end__) *d++ = *s++;
  for (d = &__bss_start__; d < &__bss_end__;) *d++ = 0;
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* enable, interrupt, processor clock */
  smcu_exit(main());
}

static void Fault_Handler(void) {
  smcu_print("fault");
  smcu_exit(3);
}

__attribute__((section(".isr_vector"), used)) static void (*const smcu_vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&__stack_top__,
    Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0,
    Fault_Handler, Fault_Handler, 0, Fault_Handler, SysTick_Handler};
