/*
** vmrun/error.h - the one error convention of the SDK.
**
** Every fallible SDK function returns 0 on success or a negative VMRUN_E*
** code.  The codes equal the negated Linux errno values of the same name,
** so a plugin may return -errno from a failed system call unchanged.
** Detailed text goes to the log (vmrun_host.log) or to the machine's error
** buffer (vmrun_host.error); the code only says which kind of failure.
*/
#ifndef VMRUN_ERROR_H
#define VMRUN_ERROR_H

#define VMRUN_OK        0
#define VMRUN_EPERM     1   /* operation not permitted (e.g. write to ROM) */
#define VMRUN_ENOENT    2   /* no such file, key, plugin or register */
#define VMRUN_EIO       5   /* host I/O error */
#define VMRUN_ENOMEM   12   /* host allocation failed */
#define VMRUN_EFAULT   14   /* guest address outside RAM or unmapped */
#define VMRUN_EBUSY    16   /* resource in use (e.g. locked disk image) */
#define VMRUN_EEXIST   17   /* already registered / overlapping region */
#define VMRUN_EINVAL   22   /* invalid argument or configuration value */
#define VMRUN_ENOSPC   28   /* table or buffer full */
#define VMRUN_ERANGE   34   /* value out of range */
#define VMRUN_ENOSYS   38   /* not implemented by this plugin */
#define VMRUN_ENOTSUP  95   /* feature not supported by this build/host */
#define VMRUN_EABI    200   /* plugin ABI mismatch (vmrun-specific) */

#endif
