/*
** plugins/riscv64/disas.h - RV64GC disassembler (vmrun_frontend_ops.disas).
** Pure: no vCPU state, no host calls; also linked alone into
** tests/tools/rv-disas to be checked against GNU objdump.
*/
#ifndef RV_DISAS_H
#define RV_DISAS_H

#include <stddef.h>
#include <stdint.h>

/* Disassemble the instruction at bytes[0..len) (guest VA pc) into buf, in
** GNU objdump's "-M no-aliases" syntax with ABI register names: mnemonic,
** a tab, operands; branch and jump targets as absolute hex addresses
** without 0x (as objdump prints them, before its "<symbol>" note).
** Returns the instruction's length (2 or 4), or -1 when len is too short
** for it.  Unknown encodings print as objdump prints data: ".short
** 0x1234" / ".word 0x12345678". */
int rv_disas_insn(uint64_t pc, const uint8_t *bytes, size_t len, char *buf,
                  size_t buflen);

#endif
