/* The harness's view of the platform: host (smcu_host.c) or a Cortex-M board under qemu
 * (smcu_cortexm.c). */
#ifndef SMCU_PLATFORM_H
#define SMCU_PLATFORM_H
#include <stdint.h>

void smcu_print(const char* s);      /* one line, no newline in s */
uint64_t smcu_ticks(void);           /* an up-counting clock (0 on the host) */
void smcu_stack_paint(void);         /* fills the free stack with a pattern */
uint32_t smcu_stack_used(void);      /* bytes of stack touched since the paint (0 on the host) */
#endif
