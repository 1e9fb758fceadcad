/*
** tests/tjit/test_emit.c - the x86-64 emitter of plugins/tjit/emit.h
** against bytes produced by the host assembler (as --64, Intel syntax;
** the source is in the comment of each emit call).
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../plugins/tjit/emit.h"

/* an emitter over buf, with no register cache or peephole state (named
** fields: tj_buf gains fields as codegen.c's peepholes do) */
static tj_buf buf_over(uint8_t *buf, uint32_t cap)
{
  return (tj_buf){ .base = buf, .cap = cap, .rax_t = -1,
                   .shl_end = UINT32_MAX };
}

static const uint8_t expect[] = {
  0x48, 0x8b, 0x45, 0x10, 0x48, 0x89, 0x85, 0x00, 0x08, 0x00, 0x00, 0x4c,
  0x8b, 0x6b, 0x48, 0x88, 0x16, 0x66, 0x89, 0x83, 0x00, 0x01, 0x00, 0x00,
  0x89, 0x43, 0x04, 0xb8, 0x78, 0x56, 0x34, 0x12, 0x48, 0xc7, 0xc0, 0xfb,
  0xff, 0xff, 0xff, 0x48, 0xb9, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34,
  0x12, 0x48, 0xc7, 0x45, 0x08, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0xb6, 0x06,
  0x48, 0x0f, 0xbf, 0x06, 0x48, 0x63, 0x45, 0x00, 0x49, 0x3b, 0x4c, 0x05,
  0x00, 0x49, 0x03, 0x74, 0x05, 0x18, 0x48, 0x81, 0xe1, 0x07, 0xf0, 0xff,
  0xff, 0x49, 0x01, 0xc5, 0x4c, 0x29, 0xe0, 0x48, 0x01, 0x43, 0x08, 0x83,
  0x7b, 0x18, 0x00, 0x48, 0x0f, 0xaf, 0x45, 0x10, 0x69, 0xc0, 0xe8, 0x03,
  0x00, 0x00, 0x48, 0xd3, 0xe0, 0xc1, 0xf8, 0x03, 0x0f, 0x9c, 0xc0, 0x0f,
  0xb6, 0xc0, 0x48, 0x0f, 0x45, 0x45, 0x18, 0x49, 0xff, 0xc4, 0x41, 0x57,
  0x5b, 0xff, 0xd0, 0xff, 0xe2, 0x48, 0x89, 0xdf, 0x45, 0x31, 0xe4, 0x48,
  0x83, 0xec, 0x08, 0x48, 0xf7, 0xe1, 0x49, 0x8d, 0x44, 0x24, 0xff, 0x89,
  0x44, 0x24, 0x08,
  /* register cache and inline division forms */
  0x49, 0x0f, 0x45, 0xc1, 0x45, 0x0f, 0xb6, 0xc0, 0x48, 0x0f, 0xbe, 0xf6,
  0x0f, 0xb7, 0xc0, 0x4d, 0x0f, 0xbf, 0xd2, 0x4d, 0x63, 0xdb, 0x89, 0xc0,
  0x48, 0xf7, 0xd8, 0xf7, 0xf1, 0x48, 0xf7, 0xf9, 0x48, 0x99, 0x99,
  0xff, 0x61, 0x40,
  /* direct guest memory (user mode) */
  0xf7, 0xc6, 0x07, 0x00, 0x00, 0x00, 0x80, 0x3c, 0x08, 0x00, 0x42, 0x0f,
  0xb6, 0x04, 0x2e, 0x4e, 0x89, 0x0c, 0x2e, 0x66, 0x42, 0x89, 0x14, 0x2e,
  /* inline binary64 operations (VMRUN_IR_F_FP) */
  0x66, 0x48, 0x0f, 0x6e, 0xce, 0x66, 0x48, 0x0f, 0x6e, 0xd2, 0x66, 0x49,
  0x0f, 0x6e, 0xd9, 0x66, 0x48, 0x0f, 0x7e, 0xc0, 0x66, 0x49, 0x0f, 0x7e,
  0xea, 0xf2, 0x0f, 0x58, 0xc2, 0xf2, 0x0f, 0x5c, 0xe0, 0xf2, 0x0f, 0x59,
  0xc2, 0xf2, 0x0f, 0x5e, 0xc2, 0xf2, 0x0f, 0x51, 0xc1, 0x66, 0x0f, 0x28,
  0xc1, 0x66, 0x0f, 0x57, 0xf6, 0x66, 0x0f, 0x2e, 0xce, 0xc4, 0xe2, 0xe9,
  0xa9, 0xc3, 0xc4, 0xe2, 0xe9, 0xab, 0xc3, 0xc4, 0xe2, 0xe9, 0xad, 0xc3,
  0xc4, 0xe2, 0xe9, 0xaf, 0xc3, 0xc4, 0xe2, 0xf1, 0xbb, 0xe2, 0xf7, 0x83,
  0xa4, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x7a, 0x00, 0x78, 0x00,
  0x77, 0x00,
  /* extensions from another register */
  0x49, 0x63, 0xc7, 0x45, 0x0f, 0xb6, 0xce, 0x48, 0x0f, 0xbe, 0xc6, 0x49,
  0x0f, 0xbf, 0xcc, 0x44, 0x89, 0xc0,
  /* xmm shadows: xmm8..15, spills around a helper call */
  0x66, 0x44, 0x0f, 0x28, 0xc8, 0x66, 0x41, 0x0f, 0x28, 0xcc, 0x66, 0x45,
  0x0f, 0x28, 0xc7, 0xf2, 0x44, 0x0f, 0x11, 0x54, 0x24, 0x08, 0xf2, 0x44,
  0x0f, 0x10, 0x6c, 0x24, 0x10, 0xf2, 0x0f, 0x11, 0x0c, 0x24, 0xf3, 0x0f,
  0x7e, 0x4d, 0x18, 0xf3, 0x44, 0x0f, 0x7e, 0x93, 0x10, 0x02, 0x00, 0x00,
  0x66, 0x49, 0x0f, 0x6e, 0xd7, 0x66, 0x4c, 0x0f, 0x7e, 0xcf, 0xf2, 0x45,
  0x0f, 0x51, 0xd9, 0xf2, 0x44, 0x0f, 0x58, 0xe1, 0x66, 0x45, 0x0f, 0x2e,
  0xca,
  /* the MXCSR inexact check of inline operations */
  0x0f, 0xae, 0x5c, 0x24, 0xfc, 0x0f, 0xae, 0x54, 0x24, 0xfc, 0xf6, 0x44,
  0x24, 0xfc, 0x20, 0xc7, 0x44, 0x24, 0xfc, 0x80, 0x1f, 0x00, 0x00, 0xf6,
  0x83, 0xa0, 0x02, 0x00, 0x00, 0x01,
  /* conversions from an integer (FCVT.D.W/WU/L) */
  0xf2, 0x44, 0x0f, 0x2a, 0xc8, 0xf2, 0x49, 0x0f, 0x2a, 0xcc, 0xf2, 0x45,
  0x0f, 0x2a, 0xd0
};

Test(tjit_emit, matches_gnu_as)
{
  uint8_t buf[640];
  tj_buf c = buf_over(buf, sizeof buf);
  mov_rm(&c, 1, RAX, MEM(RBP, 0x10));          /* mov rax, [rbp+0x10] */
  mov_mr(&c, 8, MEM(RBP, 0x800), RAX);         /* mov [rbp+0x800], rax */
  mov_rm(&c, 1, R13, MEM(RBX, 0x48));          /* mov r13, [rbx+0x48] */
  mov_mr(&c, 1, MEM(RSI, 0), RDX);             /* mov [rsi], dl */
  mov_mr(&c, 2, MEM(RBX, 0x100), RAX);         /* mov [rbx+0x100], ax */
  mov_mr(&c, 4, MEM(RBX, 4), RAX);             /* mov [rbx+4], eax */
  mov_ri(&c, RAX, 0x12345678);                 /* mov eax, 0x12345678 */
  mov_ri(&c, RAX, (uint64_t)-5);               /* mov rax, -5 */
  mov_ri(&c, RCX, 0x123456789abcdef0ull);      /* movabs rcx, ... */
  mov_mi64(&c, MEM(RBP, 8), -2);               /* mov qword [rbp+8], -2 */
  load_ext(&c, RAX, MEM(RSI, 0), 1, 0);        /* movzx eax, byte [rsi] */
  load_ext(&c, RAX, MEM(RSI, 0), 2, 1);        /* movsx rax, word [rsi] */
  load_ext(&c, RAX, MEM(RBP, 0), 4, 1);        /* movsxd rax, [rbp] */
  alu_rm(&c, 1, ALU_CMP, RCX, MEMX(R13, RAX, 0, 0)); /* cmp rcx,[r13+rax] */
  alu_rm(&c, 1, ALU_ADD, RSI, MEMX(R13, RAX, 0, 24)); /* add rsi,[r13+rax+24] */
  alu_ri(&c, 1, ALU_AND, RCX, -4089);          /* and rcx, -4089 */
  alu_rr(&c, 1, ALU_ADD, R13, RAX);            /* add r13, rax */
  alu_rr(&c, 1, ALU_SUB, RAX, R12);            /* sub rax, r12 */
  alu_mr(&c, 1, ALU_ADD, MEM(RBX, 8), RAX);    /* add [rbx+8], rax */
  alu_mi(&c, 0, ALU_CMP, MEM(RBX, 0x18), 0);   /* cmp dword [rbx+0x18], 0 */
  imul_rm(&c, 1, RAX, MEM(RBP, 16));           /* imul rax, [rbp+16] */
  imul_rri(&c, 0, RAX, RAX, 1000);             /* imul eax, eax, 1000 */
  shift_rcl(&c, 1, SH_SHL, RAX);               /* shl rax, cl */
  shift_ri(&c, 0, SH_SAR, RAX, 3);             /* sar eax, 3 */
  setcc_r8(&c, CC_L, RAX);                     /* setl al */
  movzx_r8(&c, RAX, RAX);                      /* movzx eax, al */
  cmov_rm(&c, 1, CC_NE, RAX, MEM(RBP, 24));    /* cmovne rax, [rbp+24] */
  inc_r(&c, 1, R12);                           /* inc r12 */
  push_r(&c, R15);                             /* push r15 */
  pop_r(&c, RBX);                              /* pop rbx */
  call_r(&c, RAX);                             /* call rax */
  jmp_r(&c, RDX);                              /* jmp rdx */
  mov_rr(&c, 1, RDI, RBX);                     /* mov rdi, rbx */
  alu_rr(&c, 0, ALU_XOR, R12, R12);            /* xor r12d, r12d */
  alu_ri(&c, 1, ALU_SUB, RSP, 8);              /* sub rsp, 8 */
  mul1_r(&c, 4, RCX);                          /* mul rcx */
  lea(&c, RAX, MEM(R12, -1));                  /* lea rax, [r12-1] */
  mov_mr(&c, 4, MEM(RSP, 8), RAX);             /* mov [rsp+8], eax */
  cmov_rr(&c, 1, CC_NE, RAX, R9);              /* cmovne rax, r9 */
  ext_r(&c, R8, 1, 0);                         /* movzx r8d, r8b */
  ext_r(&c, RSI, 1, 1);                        /* movsx rsi, sil */
  ext_r(&c, RAX, 2, 0);                        /* movzx eax, ax */
  ext_r(&c, R10, 2, 1);                        /* movsx r10, r10w */
  ext_r(&c, R11, 4, 1);                        /* movsxd r11, r11d */
  ext_r(&c, RAX, 4, 0);                        /* mov eax, eax */
  grp3_r(&c, 1, 3, RAX);                       /* neg rax */
  grp3_r(&c, 0, 6, RCX);                       /* div ecx */
  grp3_r(&c, 1, 7, RCX);                       /* idiv rcx */
  cqo(&c, 1);                                  /* cqo */
  cqo(&c, 0);                                  /* cdq */
  jmp_m(&c, MEM(RCX, 0x40));                   /* jmp qword [rcx+0x40] */
  test_ri(&c, 0, RSI, 7);                      /* test esi, 7 */
  cmp_m8i(&c, MEMX(RAX, RCX, 0, 0), 0);        /* cmp byte [rax+rcx], 0 */
  load_ext(&c, RAX, MEMX(RSI, R13, 0, 0), 1, 0); /* movzx eax, [rsi+r13] */
  mov_mr(&c, 8, MEMX(RSI, R13, 0, 0), R9);     /* mov [rsi+r13], r9 */
  mov_mr(&c, 2, MEMX(RSI, R13, 0, 0), RDX);    /* mov [rsi+r13], dx */
  movq_xr(&c, 1, RSI);                         /* movq xmm1, rsi */
  movq_xr(&c, 2, RDX);                         /* movq xmm2, rdx */
  movq_xr(&c, 3, R9);                          /* movq xmm3, r9 */
  movq_rx(&c, RAX, 0);                         /* movq rax, xmm0 */
  movq_rx(&c, R10, 5);                         /* movq r10, xmm5 */
  sd_rr(&c, SD_ADD, 0, 2);                     /* addsd xmm0, xmm2 */
  sd_rr(&c, SD_SUB, 4, 0);                     /* subsd xmm4, xmm0 */
  sd_rr(&c, SD_MUL, 0, 2);                     /* mulsd xmm0, xmm2 */
  sd_rr(&c, SD_DIV, 0, 2);                     /* divsd xmm0, xmm2 */
  sd_rr(&c, SD_SQRT, 0, 1);                    /* sqrtsd xmm0, xmm1 */
  movapd_rr(&c, 0, 1);                         /* movapd xmm0, xmm1 */
  xorpd_rr(&c, 6, 6);                          /* xorpd xmm6, xmm6 */
  ucomisd_rr(&c, 1, 6);                        /* ucomisd xmm1, xmm6 */
  fma_sd(&c, FMA213_MADD, 0, 2, 3);            /* vfmadd213sd xmm0,xmm2,xmm3 */
  fma_sd(&c, FMA213_MSUB, 0, 2, 3);            /* vfmsub213sd xmm0,xmm2,xmm3 */
  fma_sd(&c, FMA213_NMADD, 0, 2, 3);           /* vfnmadd213sd xmm0,xmm2,xmm3 */
  fma_sd(&c, FMA213_NMSUB, 0, 2, 3);           /* vfnmsub213sd xmm0,xmm2,xmm3 */
  fma_sd(&c, FMA231_MSUB, 4, 1, 2);            /* vfmsub231sd xmm4,xmm1,xmm2 */
  test_mi(&c, MEM(RBX, 0x1a4), 1);             /* test dword [rbx+0x1a4], 1 */
  jcc8(&c, CC_P);                              /* jp (rel8 0) */
  jcc8(&c, CC_S);                              /* js */
  jcc8(&c, CC_A);                              /* ja */
  ext_rr(&c, RAX, R15, 4, 1);                  /* movsxd rax, r15d */
  ext_rr(&c, R9, R14, 1, 0);                   /* movzx r9d, r14b */
  ext_rr(&c, RAX, RSI, 1, 1);                  /* movsx rax, sil */
  ext_rr(&c, RCX, R12, 2, 1);                  /* movsx rcx, r12w */
  ext_rr(&c, RAX, R8, 4, 0);                   /* mov eax, r8d */
  movapd_rr(&c, 9, 0);                         /* movapd xmm9, xmm0 */
  movapd_rr(&c, 1, 12);                        /* movapd xmm1, xmm12 */
  movapd_rr(&c, 8, 15);                        /* movapd xmm8, xmm15 */
  movsd_mx(&c, MEM(RSP, 8), 10);               /* movsd [rsp+8], xmm10 */
  movsd_xm(&c, 13, MEM(RSP, 16));              /* movsd xmm13, [rsp+16] */
  movsd_mx(&c, MEM(RSP, 0), 1);                /* movsd [rsp], xmm1 */
  movq_xm(&c, 1, MEM(RBP, 0x18));              /* movq xmm1, [rbp+0x18] */
  movq_xm(&c, 10, MEM(RBX, 0x210));            /* movq xmm10, [rbx+0x210] */
  movq_xr(&c, 2, R15);                         /* movq xmm2, r15 */
  movq_rx(&c, RDI, 9);                         /* movq rdi, xmm9 */
  sd_rr(&c, SD_SQRT, 11, 9);                   /* sqrtsd xmm11, xmm9 */
  sd_rr(&c, SD_ADD, 12, 1);                    /* addsd xmm12, xmm1 */
  ucomisd_rr(&c, 9, 10);                       /* ucomisd xmm9, xmm10 */
  stmxcsr_m(&c, MEM(RSP, -4));                 /* stmxcsr [rsp-4] */
  ldmxcsr_m(&c, MEM(RSP, -4));                 /* ldmxcsr [rsp-4] */
  test_m8i(&c, MEM(RSP, -4), 0x20);            /* test byte [rsp-4], 0x20 */
  mov_mi32(&c, MEM(RSP, -4), 0x1f80);          /* mov dword [rsp-4], 0x1f80 */
  test_m8i(&c, MEM(RBX, 0x2a0), 1);            /* test byte [rbx+0x2a0], 1 */
  cvtsi2sd_xr(&c, 0, 9, RAX);                  /* cvtsi2sd xmm9, eax */
  cvtsi2sd_xr(&c, 1, 1, R12);                  /* cvtsi2sd xmm1, r12 */
  cvtsi2sd_xr(&c, 0, 10, R8);                  /* cvtsi2sd xmm10, r8d */
  cr_assert_eq(c.overflow, 0);
  cr_assert_eq(c.pos, sizeof expect, "%u bytes, expected %zu", c.pos,
               sizeof expect);
  for (unsigned i = 0; i < sizeof expect; i++)
    cr_assert_eq(buf[i], expect[i], "byte %u: 0x%02x, expected 0x%02x", i,
                 buf[i], expect[i]);
}

Test(tjit_emit, jumps_and_overflow)
{
  uint8_t buf[16];
  tj_buf c = buf_over(buf, sizeof buf);
  uint32_t j = jcc32(&c, CC_NE);               /* 0f 85 rel32 */
  uint32_t k = jmp32(&c);                      /* e9 rel32 */
  patch32(&c, j, 0);                           /* back to offset 0 */
  patch32(&c, k, c.pos);                       /* to the next insn */
  int32_t r1, r2;
  memcpy(&r1, buf + 2, 4);
  memcpy(&r2, buf + 7, 4);
  cr_assert_eq(buf[0], 0x0f);
  cr_assert_eq(buf[1], 0x85);
  cr_assert_eq(r1, -6);
  cr_assert_eq(buf[6], 0xe9);
  cr_assert_eq(r2, 0);
  mov_ri(&c, RCX, 0x123456789abcdef0ull);      /* 10 bytes: does not fit */
  cr_assert(c.overflow);
  cr_assert(c.pos <= sizeof buf);
}

Test(tjit_emit, short_jumps)
{
  uint8_t buf[16];
  tj_buf c = buf_over(buf, sizeof buf);
  uint32_t j = jcc8(&c, CC_E);                 /* 74 rel8 */
  uint32_t k = jmp8(&c);                       /* eb rel8 */
  cqo(&c, 1);                                  /* 2 bytes skipped */
  patch8_here(&c, k);
  patch8_here(&c, j);
  cr_assert_eq(c.pos, 6);
  cr_assert_eq(buf[0], 0x74);
  cr_assert_eq(buf[1], 4);                     /* to the end */
  cr_assert_eq(buf[2], 0xeb);
  cr_assert_eq(buf[3], 2);                     /* over the cqo */
}
