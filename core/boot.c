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

#include <libfdt.h>

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

static uint64_t le64(const uint8_t *p)
{
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static uint32_t le32(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* Recognise kernel images for other architectures, to say so instead of
** booting garbage.  Returns a description or NULL. */
static const char *foreign_kernel(const uint8_t *buf, size_t len)
{
  if (len >= 64 && memcmp(buf + 56, "ARM\x64", 4) == 0) return "an arm64 kernel Image";
  if (len >= 0x206 && memcmp(buf + 0x202, "HdrS", 4) == 0) return "an x86 bzImage";
  if (len >= 4 && buf[0] == 0x1f && buf[1] == 0x8b) return "gzip-compressed (decompress it first)";
  return NULL;
}

/*
** A RISC-V Linux kernel Image (Documentation/arch/riscv/boot-image-header
** .rst): 64-byte header with text_offset at 8, image_size at 16, magic
** "RISCV\0\0\0" at 48 and "RSC\x05" at 56; Debian's is also an EFI PE
** file, whose section table tells how long the file must be (truncation).
** Returns 1 and fills *text_offset and *image_size if `buf` is one, 0 if not,
** negative after one printed line if it is one but damaged.
*/
static int riscv_image(const char *path, const uint8_t *buf, size_t len,
                       uint64_t *text_offset, uint64_t *image_size)
{
  if (len < 64 || memcmp(buf + 48, "RISCV\0\0\0", 8) != 0) return 0;
  if (memcmp(buf + 56, "RSC\x05", 4) != 0) {
    vmrun__diag("vmrun: %s: RISC-V Image header without the RSC\\x05 magic "
                "(header version too old or damaged)", path);
    return -VMRUN_EINVAL;
  }
  *text_offset = le64(buf + 8);
  *image_size = le64(buf + 16);
  if (buf[0] == 'M' && buf[1] == 'Z' && len >= 0x40) {   /* EFI stub: PE */
    uint32_t pe = le32(buf + 0x3c);
    if ((uint64_t)pe + 24 <= len && memcmp(buf + pe, "PE\0\0", 4) == 0) {
      unsigned nsec = (unsigned)(buf[pe + 6] | buf[pe + 7] << 8);
      unsigned optsz = (unsigned)(buf[pe + 20] | buf[pe + 21] << 8);
      uint64_t sec = (uint64_t)pe + 24 + optsz, need = 0;
      for (unsigned i = 0; i < nsec && sec + 40 * (i + 1) <= len; i++) {
        const uint8_t *sh = buf + sec + 40 * i;
        uint64_t end = (uint64_t)le32(sh + 20) + le32(sh + 16);
        if (end > need) need = end;
      }
      if (need > len) {
        vmrun__diag("vmrun: %s: truncated kernel Image: its sections need "
                    "%llu bytes, the file has %zu", path,
                    (unsigned long long)need, len);
        return -VMRUN_EINVAL;
      }
    }
  }
  if (*image_size < len) *image_size = len;
  if (*text_offset % 0x200000 != 0) {
    vmrun__diag("vmrun: %s: kernel text_offset 0x%llx is not 2 MiB aligned",
                path, (unsigned long long)*text_offset);
    return -VMRUN_EINVAL;
  }
  return 1;
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
  uint64_t text_offset, image_size;
  const char *foreign = foreign_kernel(buf, len);
  if (len >= 4 && memcmp(buf, ELFMAG, SELFMAG) == 0) {
    rc = load_elf(m, path, buf, len, entry, end);
  } else if ((rc = riscv_image(path, buf, len, &text_offset, &image_size))) {
    if (rc > 0) {  /* at RAM base + text_offset unless kernel_addr says */
      uint64_t at = m->desc.kernel_addr != VMRUN_DESC_UNSET
                        ? raw_addr : m->desc.ram_base + text_offset;
      rc = load_bytes(m, path, at, buf, len, image_size);
      *entry = at;
      *end = at + image_size;
    }
  } else if (foreign) {
    vmrun__diag("vmrun: %s: this is %s, not a %s kernel or firmware", path,
                foreign, m->fe->isa);
    rc = -VMRUN_EINVAL;
  } else {
    rc = load_bytes(m, path, raw_addr, buf, len, len);
    *entry = raw_addr;
    *end = raw_addr + len;
  }
  free(buf);
  return rc;
}

/* The initrd goes just below `top` (page aligned), above `floor` (the end
** of the kernel/firmware); /chosen gets linux,initrd-start/-end
** (Documentation/devicetree/bindings/chosen.txt). */
static int load_initrd(vmrun_machine *m, uint64_t top, uint64_t floor)
{
  size_t len;
  uint8_t *buf = vmrun__read_file(m->desc.initrd, &len);
  uint64_t start;
  void *grown;
  int chosen, rc;
  if (!buf) return -VMRUN_ENOENT;
  start = (top - len) & VMRUN_PAGE_MASK;
  if (len == 0 || len >= top - floor || start < floor) {
    vmrun__diag("vmrun: %s: initrd of %zu bytes does not fit in RAM between "
                "the kernel (ends at 0x%llx) and the device tree (0x%llx); "
                "raise machine.ram", m->desc.initrd, len,
                (unsigned long long)floor, (unsigned long long)top);
    free(buf);
    return -VMRUN_ERANGE;
  }
  rc = load_bytes(m, m->desc.initrd, start, buf, len, len);
  free(buf);
  if (rc < 0) return rc;
  grown = malloc(m->fdt_size + 256);
  if (!grown) return -VMRUN_ENOMEM;
  if (fdt_open_into(m->fdt, grown, (int)m->fdt_size + 256) < 0 ||
      (chosen = fdt_path_offset(grown, "/chosen")) < 0 ||
      fdt_setprop_u64(grown, chosen, "linux,initrd-start", start) < 0 ||
      fdt_setprop_u64(grown, chosen, "linux,initrd-end", start + len) < 0 ||
      fdt_pack(grown) < 0) {
    vmrun__diag("vmrun: cannot add the initrd to the device tree");
    free(grown);
    return -VMRUN_EINVAL;
  }
  free(m->fdt);
  m->fdt = grown;
  m->fdt_size = fdt_totalsize(grown);
  return 0;
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
  /* DTB at the top of RAM, 2 MiB aligned as QEMU does (room for the
  ** initrd properties added below); boot info page below it. */
  bi->fdt_addr = (ram_end - m->fdt_size - 256) & ~(uint64_t)0x1fffff;
  if (bi->fdt_addr < m->desc.ram_base + 0x1000 ||
      bi->fdt_addr < (k_end > fw_end ? k_end : fw_end)) {
    vmrun__diag("vmrun: machine.ram (%llu MiB) is too small for the images "
                "and the device tree", (unsigned long long)(m->desc.ram_size >> 20));
    return -VMRUN_ERANGE;
  }
  if (m->desc.initrd && (rc = load_initrd(m, bi->fdt_addr - 0x1000,
                                          k_end > fw_end ? k_end : fw_end)) < 0)
    return rc;
  rc = m->host.phys_write(m, bi->fdt_addr, m->fdt, m->fdt_size);
  if (rc < 0) return rc;
  bi->info_addr = bi->fdt_addr - 0x1000;
  bi->entry = m->desc.firmware ? fw_entry : k_entry;
  bi->next_addr = m->desc.kernel ? k_entry : 0;
  bi->boot_hart = 0;
  return 0;
}
