/* Cortex-M (M0 / M3 / M4 / M33) startup shared by the qemu boards (smcu_semihost.c) and real
 * parts (board_*.c): the core vector table, the reset handler (.data copy, .bss zero, the
 * board's init, main, the board's exit) and the painted-stack high-water mark. No CMSIS
 * headers needed: the few core registers are written by address. */
#include <stdint.h>

#include "smcu_platform.h"

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__, __stack_top__;
int main(void);

#define SMCU_PAINT 0xA5A5A5A5u
void smcu_board_init(void);   /* the platform file: clocks, console, cycle counter */
void smcu_exit(int code);     /* the platform file: never returns */
void SysTick_Handler(void);

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
  smcu_board_init();
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
