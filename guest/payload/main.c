/*
** The S-mode payload vmrun's default machine boots after OpenSBI.
**
** It talks to the SBI implementation only through the SBI calls (RISC-V
** SBI specification v1.0): it prints through the legacy console extension,
** reads the SBI version (Base extension), reads the time CSR, arms a timer
** with the TIME extension and waits for the supervisor timer interrupt,
** then powers off with the SRST extension.  If a check fails, or the
** device tree's /chosen/bootargs contains "payload-fail", it reports a
** failure through the SiFive test finisher, which makes vmrun exit 1.
*/
#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_SRST 0x53525354

struct sbiret { long error; long value; };

static struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2)
{
  register long r_a0 __asm__("a0") = a0;
  register long r_a1 __asm__("a1") = a1;
  register long r_a2 __asm__("a2") = a2;
  register long r_a6 __asm__("a6") = fid;
  register long r_a7 __asm__("a7") = ext;
  __asm__ volatile("ecall"
                   : "+r"(r_a0), "+r"(r_a1)
                   : "r"(r_a2), "r"(r_a6), "r"(r_a7)
                   : "memory");
  return (struct sbiret){ r_a0, r_a1 };
}

static void putc_sbi(char c) { sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, c, 0, 0); }

static void puts_sbi(const char *s)
{
  for (; *s; s++) putc_sbi(*s);
}

static void put_dec(uint64_t v)
{
  char buf[24];
  int i = 0;
  do { buf[i++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (i) putc_sbi(buf[--i]);
}

static void put_hex(uint64_t v)
{
  puts_sbi("0x");
  for (int s = 60; s >= 0; s -= 4) putc_sbi("0123456789abcdef"[(v >> s) & 15]);
}

static uint64_t rdtime(void)
{
  uint64_t t;
  __asm__ volatile("rdtime %0" : "=r"(t));
  return t;
}

/* ---- a minimal flattened device tree reader (big-endian fields) ---- */
static uint32_t be32(const void *p)
{
  const uint8_t *b = p;
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int streq(const char *a, const char *b)
{
  while (*a && *a == *b) { a++; b++; }
  return *a == *b;
}

static int contains(const char *hay, const char *needle)
{
  for (; *hay; hay++) {
    const char *h = hay, *n = needle;
    while (*n && *h == *n) { h++; n++; }
    if (!*n) return 1;
  }
  return 0;
}

/* Returns /chosen/bootargs or "" (any "bootargs" property in the tree). */
static const char *fdt_bootargs(const uint8_t *fdt)
{
  const uint8_t *p, *strings;
  if (!fdt || be32(fdt) != 0xd00dfeed) return "";
  p = fdt + be32(fdt + 8);        /* off_dt_struct */
  strings = (const uint8_t *)fdt + be32(fdt + 12);
  for (;;) {
    uint32_t tok = be32(p);
    p += 4;
    if (tok == 1) {               /* FDT_BEGIN_NODE: skip the name */
      while (*p) p++;
      p = (const uint8_t *)(((uintptr_t)p + 4) & ~(uintptr_t)3);
    } else if (tok == 3) {        /* FDT_PROP */
      uint32_t len = be32(p), nameoff = be32(p + 4);
      const char *val = (const char *)(p + 8);
      if (streq((const char *)strings + nameoff, "bootargs")) return val;
      p += 8 + ((len + 3) & ~3u);
    } else if (tok == 2 || tok == 4) {
      continue;                   /* END_NODE, NOP */
    } else {
      return "";                  /* FDT_END or garbage */
    }
  }
}

static volatile int timer_fired;
static volatile uint64_t timer_at;

void trap_handler(uint64_t cause, uint64_t epc, uint64_t tval);
void trap_handler(uint64_t cause, uint64_t epc, uint64_t tval)
{
  if (cause == ((1ull << 63) | 5)) {   /* supervisor timer interrupt */
    timer_at = rdtime();
    timer_fired = 1;
    sbi_call(SBI_EXT_TIME, 0, -1L, 0, 0); /* disarm: clears STIP */
    return;
  }
  puts_sbi("payload: unexpected trap scause=");
  put_hex(cause);
  puts_sbi(" sepc=");
  put_hex(epc);
  puts_sbi(" stval=");
  put_hex(tval);
  puts_sbi("\n");
  sbi_call(SBI_EXT_SRST, 0, 0, 1, 0);
  *(volatile uint32_t *)0x100000 = (2u << 16) | 0x3333;
  for (;;) {}
}

void payload_main(unsigned long hartid, const uint8_t *fdt);
void payload_main(unsigned long hartid, const uint8_t *fdt)
{
  struct sbiret r;
  uint64_t t0, deadline;
  int fail = contains(fdt_bootargs(fdt), "payload-fail");

  puts_sbi("Hello from the vmrun S-mode payload on hart ");
  put_dec(hartid);
  puts_sbi("\n");
  r = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);            /* get_spec_version */
  puts_sbi("payload: SBI specification v");
  put_dec(((unsigned long)r.value >> 24) & 0x7f);
  puts_sbi(".");
  put_dec((unsigned long)r.value & 0xffffff);
  puts_sbi("\n");
  r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_TIME, 0, 0);  /* probe TIME */
  if (r.value == 0) { puts_sbi("payload: no SBI TIME extension\n"); fail = 1; }

  t0 = rdtime();
  puts_sbi("payload: time = ");
  put_dec(t0);
  puts_sbi(" ticks\n");
  deadline = t0 + 100000;                             /* 10 ms at 10 MHz */
  __asm__ volatile("csrs sie, %0" :: "r"(1ul << 5));  /* STIE */
  __asm__ volatile("csrs sstatus, %0" :: "r"(1ul << 1)); /* SIE */
  sbi_call(SBI_EXT_TIME, 0, (long)deadline, 0, 0);    /* sbi_set_timer */
  while (!timer_fired) __asm__ volatile("wfi");
  __asm__ volatile("csrc sstatus, %0" :: "r"(1ul << 1));
  if (timer_at < deadline) {
    puts_sbi("payload: timer interrupt came early\n");
    fail = 1;
  } else {
    puts_sbi("payload: SBI timer interrupt after ");
    put_dec(timer_at - t0);
    puts_sbi(" ticks\n");
  }

  if (fail) {
    puts_sbi("payload: reporting failure\n");
    /* OpenSBI 1.1's sifive_test driver ignores the SRST reason and powers
    ** off with "pass", so report the failure through the SiFive test
    ** finisher (FAIL, code 1) directly; SRST is the fallback. */
    *(volatile uint32_t *)0x100000 = (1u << 16) | 0x3333;
    sbi_call(SBI_EXT_SRST, 0, 0, 1, 0);  /* shutdown, reason: system failure */
  } else {
    puts_sbi("payload: all checks passed, powering off\n");
    sbi_call(SBI_EXT_SRST, 0, 0, 0, 0);  /* shutdown, no reason */
  }
  puts_sbi("payload: SBI SRST returned\n");
  *(volatile uint32_t *)0x100000 = (3u << 16) | 0x3333;
  for (;;) {}
}
