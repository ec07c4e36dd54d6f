/* Board platform: ST Nucleo-F411RE (STM32F411RE, Cortex-M4F at 16 MHz HSI after reset,
 * 512 KiB flash at 0x08000000, 128 KiB SRAM at 0x20000000). The harness's lines go to
 * USART2 (PA2, the ST-LINK virtual COM port) at 115200 8N1; ticks are core cycles from the
 * DWT cycle counter. With smcu_cortexm.c this is the whole startup: the core vector table
 * there, the device's 86 interrupt vectors here (CMSIS names are not needed: nothing
 * enables an interrupt). Registers by address (RM0383). */
#include <stdint.h>

#include "smcu_platform.h"

#define REG(a) (*(volatile uint32_t*)(a))
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define GPIOA_MODER REG(0x40020000u)
#define GPIOA_AFRL REG(0x40020020u)
#define USART2_SR REG(0x40004400u)
#define USART2_DR REG(0x40004404u)
#define USART2_BRR REG(0x40004408u)
#define USART2_CR1 REG(0x4000440Cu)
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)

void smcu_board_init(void);
void smcu_exit(int code);
void SysTick_Handler(void);

void smcu_board_init(void) {
  RCC_AHB1ENR |= 1u;                                           /* GPIOA */
  RCC_APB1ENR |= 1u << 17;                                     /* USART2 */
  GPIOA_MODER = (GPIOA_MODER & ~(3u << 4)) | (2u << 4);        /* PA2: alternate function */
  GPIOA_AFRL = (GPIOA_AFRL & ~(15u << 8)) | (7u << 8);         /* AF7: USART2_TX */
  USART2_BRR = 0x8Bu;                                          /* 16 MHz / 115200 = 8 + 11/16 */
  USART2_CR1 = (1u << 13) | (1u << 3);                         /* UE, TE */
  DEMCR |= 1u << 24;                                           /* TRCENA */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;                                              /* CYCCNTENA */
}

static void put(char c) {
  while (!(USART2_SR & (1u << 7))) {
  }
  USART2_DR = (uint32_t)(unsigned char)c;
}

void smcu_print(const char* s) {
  while (*s) put(*s++);
  put('\r');
  put('\n');
}

uint64_t smcu_ticks(void) {
  static uint32_t last;
  static uint64_t high;
  const uint32_t now = DWT_CYCCNT;
  if (now < last) high += (uint64_t)1 << 32;
  last = now;
  return high + now;
}

void smcu_exit(int code) {
  smcu_print(code == 0 ? "done" : "failed");
  for (;;) __asm volatile("wfi");
}

void SysTick_Handler(void) {}

static void Irq_Handler(void) { smcu_exit(4); }
__attribute__((section(".isr_vector.irq"), used)) static void (*const board_irqs[86])(void) = {
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler,
    Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler, Irq_Handler};
