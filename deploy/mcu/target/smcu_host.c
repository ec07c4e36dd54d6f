/* Host platform of the harness: stdout, no clock, no stack measurement. */
#include <stdio.h>

#include "smcu_platform.h"

void smcu_print(const char* s) { printf("%s\n", s); }
uint64_t smcu_ticks(void) { return 0; }
void smcu_stack_paint(void) {}
uint32_t smcu_stack_used(void) { return 0; }
