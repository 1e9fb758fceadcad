/*
** core/boot.c - loading firmware, kernel and device tree into guest RAM.
**
** Images are ELF64 (loaded by PT_LOAD program headers at their physical
** addresses, checked against the frontend's e_machine and class) or raw
** binaries (loaded at a fixed address).  Everything is bounds-checked
** against RAM/ROM before a byte is copied.
**
** RISC-V layout (as QEMU virt with OpenSBI fw_jump/fw_dynamic):
**   firmware at ram_base, next stage at kernel_addr (ram_base + 2 MiB),
**   DTB near the top of RAM (2 MiB aligned), fw_dynamic_info below it;
**   a0 = hartid, a1 = DTB, a2 = fw_dynamic_info.
*/
#include "vmrun-config.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

uint8_t *vmrun__read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long sz;
  if (!f) {
    vmrun__diag("vmrun: %s: %s", path, strerror(errno));
    return NULL;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    vmrun__diag("vmrun: %s: cannot determine size: %s", path, strerror(errno));
    fclose(f);
    return NULL;
  }
  buf = malloc(sz ? (size_t)sz : 1);
  if (!buf) {
    vmrun__diag("vmrun: %s: out of memory (%ld bytes)", path, sz);
    fclose(f);
    return NULL;
  }
  if (sz && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
    vmrun__diag("vmrun: %s: read error", path);
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *len = (size_t)sz;
  return buf;
}

/* Copy into guest RAM/ROM (ROM is writable by the loader). */
static int load_bytes(vmrun_machine *m, const char *path, uint64_t gpa,
                      const uint8_t *src, uint64_t len, uint64_t memsz)
{
  vmrun_region *r = vmrun__phys_find(m, gpa);
  if (!r || !r->host || memsz > r->size - (gpa - r->base)) {
    vmrun__diag("vmrun: %s: image [0x%llx-0x%llx] does not fit in guest "
                "memory%s%s", path, (unsigned long long)gpa,
                (unsigned long long)(gpa + memsz - 1),
                r ? " region " : "", r ? r->name : "");
    return -VMRUN_ERANGE;
  }
  memcpy(r->host + (gpa - r->base), src, len);
  memset(r->host + (gpa - r->base) + len, 0, memsz - len);
  return 0;
}

static int load_elf(vmrun_machine *m, const char *path, const uint8_t *buf,
                    size_t len, uint64_t *entry, uint64_t *end)
{
  const Elf64_Ehdr *eh = (const void *)buf;
  uint64_t hi = 0;
  int loaded = 0;
  if (len < EI_NIDENT || buf[EI_CLASS] != m->fe->elf_class) {
    vmrun__diag("vmrun: %s: not a %d-bit ELF file (class %d)", path,
                m->fe->elf_class == ELFCLASS64 ? 64 : 32,
                len >= EI_NIDENT ? buf[EI_CLASS] : -1);
    return -VMRUN_EINVAL;
  }
  if (len < sizeof *eh || buf[EI_DATA] != ELFDATA2LSB) {
    vmrun__diag("vmrun: %s: truncated or big-endian ELF header", path);
    return -VMRUN_EINVAL;
  }
  if (eh->e_machine != m->fe->elf_machine) {
    vmrun__diag("vmrun: %s: ELF machine %u is not %s (e_machine %u)", path,
                eh->e_machine, m->fe->isa, m->fe->elf_machine);
    return -VMRUN_EINVAL;
  }
  if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
      eh->e_phoff > len || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) >
                               len - eh->e_phoff) {
    vmrun__diag("vmrun: %s: corrupt ELF program header table", path);
    return -VMRUN_EINVAL;
  }
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    Elf64_Phdr ph;
    int rc;
    memcpy(&ph, buf + eh->e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
        ph.p_filesz > len - ph.p_offset ||
        ph.p_paddr + ph.p_memsz < ph.p_paddr) {
      vmrun__diag("vmrun: %s: corrupt ELF segment %u (offset 0x%llx, file "
                  "size 0x%llx, memory size 0x%llx)", path, i,
                  (unsigned long long)ph.p_offset,
                  (unsigned long long)ph.p_filesz,
                  (unsigned long long)ph.p_memsz);
      return -VMRUN_EINVAL;
    }
    rc = load_bytes(m, path, ph.p_paddr, buf + ph.p_offset, ph.p_filesz,
                    ph.p_memsz);
    if (rc < 0) return rc;
    if (ph.p_paddr + ph.p_memsz > hi) hi = ph.p_paddr + ph.p_memsz;
    loaded++;
  }
  if (!loaded) {
    vmrun__diag("vmrun: %s: ELF file has no loadable segment", path);
    return -VMRUN_EINVAL;
  }
  *entry = eh->e_entry;
  *end = hi;
  return 0;
}

int vmrun__load_image(vmrun_machine *m, const char *path, uint64_t raw_addr,
                      uint64_t *entry, uint64_t *end)
{
  size_t len;
  uint8_t *buf = vmrun__read_file(path, &len);
  int rc;
  if (!buf) return -VMRUN_ENOENT;
  if (len == 0) {
    vmrun__diag("vmrun: %s: empty file", path);
    free(buf);
    return -VMRUN_EINVAL;
  }
  if (len >= 4 && memcmp(buf, ELFMAG, SELFMAG) == 0) {
    rc = load_elf(m, path, buf, len, entry, end);
  } else {
    rc = load_bytes(m, path, raw_addr, buf, len, len);
    *entry = raw_addr;
    *end = raw_addr + len;
  }
  free(buf);
  return rc;
}

int vmrun__boot_load(vmrun_machine *m, vmrun_boot_info *bi)
{
  uint64_t ram_end = m->desc.ram_base + m->desc.ram_size;
  uint64_t fw_entry = 0, fw_end = m->desc.ram_base, k_entry = 0, k_end = 0;
  uint64_t kaddr = m->desc.kernel_addr;
  int rc;

  memset(bi, 0, sizeof *bi);
  if (kaddr == VMRUN_DESC_UNSET) kaddr = m->desc.ram_base + 0x200000;
  if (m->desc.firmware) {
    rc = vmrun__load_image(m, m->desc.firmware, m->desc.ram_base, &fw_entry,
                           &fw_end);
    if (rc < 0) return rc;
    if (m->desc.kernel && fw_end > kaddr) {
      vmrun__diag("vmrun: %s: firmware ends at 0x%llx, past the kernel "
                  "address 0x%llx (machine.kernel_addr)", m->desc.firmware,
                  (unsigned long long)fw_end, (unsigned long long)kaddr);
      return -VMRUN_ERANGE;
    }
  }
  if (m->desc.kernel) {
    rc = vmrun__load_image(m, m->desc.kernel, kaddr, &k_entry, &k_end);
    if (rc < 0) return rc;
  }
  if (!m->desc.firmware && !m->desc.kernel) {
    vmrun__diag("vmrun: %s: machine has neither machine.firmware nor "
                "machine.kernel: nothing to run", m->desc.file);
    return -VMRUN_EINVAL;
  }
  /* DTB at the top of RAM, 2 MiB aligned as QEMU does; boot info below. */
  bi->fdt_addr = (ram_end - m->fdt_size) & ~(uint64_t)0x1fffff;
  if (bi->fdt_addr < m->desc.ram_base + 0x1000 ||
      bi->fdt_addr < (k_end > fw_end ? k_end : fw_end)) {
    vmrun__diag("vmrun: machine.ram (%llu MiB) is too small for the images "
                "and the device tree", (unsigned long long)(m->desc.ram_size >> 20));
    return -VMRUN_ERANGE;
  }
  rc = m->host.phys_write(m, bi->fdt_addr, m->fdt, m->fdt_size);
  if (rc < 0) return rc;
  bi->info_addr = bi->fdt_addr - 0x1000;
  bi->entry = m->desc.firmware ? fw_entry : k_entry;
  bi->next_addr = m->desc.kernel ? k_entry : 0;
  bi->boot_hart = 0;
  return 0;
}
