/* The qemu platform: semihosting output and exit (bkpt 0xAB: SYS_WRITE0, SYS_EXIT) and
 * SysTick on the processor clock as the tick counter (wraps counted in its interrupt).
 * Under -icount shift=0 one instruction takes 1 ns of virtual time, so ticks × the
 * SysTick period in ns = instructions (docs/MCU.md). */
#include <stdint.h>

#include "smcu_platform.h"

#define SMCU_REG(a) (*(volatile uint32_t*)(a))
#define SYST_CSR SMCU_REG(0xE000E010u)
#define SYST_RVR SMCU_REG(0xE000E014u)
#define SYST_CVR SMCU_REG(0xE000E018u)

void smcu_board_init(void);
void smcu_exit(int code);
void SysTick_Handler(void);

static int smcu_semihost(int op, const void* arg) {
  register int r0 __asm("r0") = op;
  register const void* r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void smcu_exit(int code) {
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

void smcu_board_init(void) {
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* enable, interrupt, processor clock */
}
