/*
** core/symbols.h - guest symbol tables for scripts (vmrun.symbol,
** vmrun.lookup): from the ELF symbol tables of the loaded firmware/kernel
** and from the machine's `symbols:` files (ELF or Linux System.map).
** Self-contained (no other core file needed), so tests/tools/elfsym can
** feed it arbitrary, also malformed, files.
*/
#ifndef VMRUN_CORE_SYMBOLS_H
#define VMRUN_CORE_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct vmrun_symtab vmrun_symtab;

vmrun_symtab *vmrun__symtab_new(void);           /* NULL on ENOMEM */
void vmrun__symtab_free(vmrun_symtab *t);        /* NULL is a no-op */

/* Add the symbols of an ELF image (ELF32 or ELF64, either byte order):
** .symtab, else .dynsym; defined FUNC, OBJECT and NOTYPE symbols with a
** name, without section/file symbols, RISC-V/ARM mapping symbols ($x, $d)
** and assembler locals (.L*).  Values are the link-time (virtual)
** addresses.  Returns the number added (0: no symbol table), or -1 with
** a message in err for a malformed file (nothing is added then).  Never
** reads outside buf[0..len). */
int vmrun__symtab_add_elf(vmrun_symtab *t, const uint8_t *buf, size_t len,
                          char *err, size_t errlen);
/* Add the lines "ADDRESS TYPE NAME" of a System.map (nm output format);
** absolute ('a'/'A') and undefined ('U', 'w', 'v') entries are skipped.
** Returns the number added, or -1 with "line N: ..." in err. */
int vmrun__symtab_add_sysmap(vmrun_symtab *t, const char *text, size_t len,
                             char *err, size_t errlen);
/* Read `path` and add it as ELF (by its magic) or as a System.map.
** `elf_only`: a non-ELF file adds nothing (returns 0).  -1 with the
** reason in err (I/O error or malformed content); errno is left set
** (ENOENT...) when the file could not be opened, 0 otherwise. */
int vmrun__symtab_add_file(vmrun_symtab *t, const char *path, int elf_only,
                           char *err, size_t errlen);

/* The symbol at or before addr (the nearest one below, as objdump's
** <name+off>): its name (owned by t) and *off = addr - its address; NULL
** when no symbol lies at or below addr, or when the nearest one has an
** ELF size (st_size > 0) and addr lies past its end.  Symbols without a
** size (assembler labels, System.map entries) extend to the next one. */
const char *vmrun__symtab_find(vmrun_symtab *t, uint64_t addr, uint64_t *off);
/* Address of the symbol `name` (the first one by address when several
** have the name).  0, or -1 when unknown. */
int vmrun__symtab_lookup(vmrun_symtab *t, const char *name, uint64_t *addr);
size_t vmrun__symtab_count(const vmrun_symtab *t);
/* Add `bias` to the addresses of the symbols added since the table had
** `from` entries (an ELF image loaded away from its link address: a PIE,
** a dynamic loader). */
void vmrun__symtab_rebase(vmrun_symtab *t, size_t from, uint64_t bias);
/* Mark `addr` as the end of an image: a symbol without a size below it
** does not extend past it (vmrun__symtab_find gives NULL from there up to
** the next symbol).  0, or -1 (ENOMEM). */
int vmrun__symtab_add_end(vmrun_symtab *t, uint64_t addr);

#endif
