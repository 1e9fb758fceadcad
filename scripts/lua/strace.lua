-- strace.lua - one strace-like line per system call (user mode only):
--   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
--   write(1, 0x7fc1d2a0, 6) = 6
--   openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT
--   exit_group(0) = ?
-- The line is printed when the call returns (on_syscall_exit), with the
-- arguments as they were at entry (on_syscall).  Calls that do not return
-- (exit, exit_group) print " = ?" at once; an execve prints
-- "execve(...) ..." at entry (if it succeeds, vmrun is replaced and the new
-- program runs without scripts), and its full line if it fails.  Paths are read from guest memory
-- (vmrun.read_virt); buffers are shown as addresses.  With more than one
-- thread, a line of a thread other than the first is prefixed with
-- "[tid N] " (as strace -f does).
-- After fork, the child's calls are traced too (prefixed with its pid).
-- Args: prefix (default "": text put before every line, e.g. "strace: "),
--       tids=1 (prefix every line with its thread id).
-- Usage: vmrun --user --script scripts/lua/strace.lua PROGRAM ARGS...
local prefix = args.prefix or ""
local all_tids = args.tids == "1"

-- asm-generic errno names (include/uapi/asm-generic/errno-base.h, errno.h)
local errno = {
  "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC",
  "EBADF", "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK",
  "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL",
  "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE",
  "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG",
  "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
}

-- open(2) flags, asm-generic values (include/uapi/asm-generic/fcntl.h)
local oflags = {
  { 0x40, "O_CREAT" }, { 0x80, "O_EXCL" }, { 0x100, "O_NOCTTY" },
  { 0x200, "O_TRUNC" }, { 0x400, "O_APPEND" }, { 0x800, "O_NONBLOCK" },
  { 0x10000, "O_DIRECTORY" }, { 0x20000, "O_NOFOLLOW" },
  { 0x80000, "O_CLOEXEC" },
}

-- argument kinds: d signed decimal, u unsigned decimal, x hex (pointers,
-- flags), s string in guest memory, f directory fd (AT_FDCWD), o octal
-- (modes), O open flags
local sig = {
  read = "dxu", write = "dxu", openat = "fsOo", close = "d",
  lseek = "ddd", pread64 = "dxud", pwrite64 = "dxud", readv = "dxd",
  writev = "dxd", dup = "d", dup3 = "ddx", fcntl = "ddx", ioctl = "dxx",
  fstat = "dx", newfstatat = "fsxx", statx = "fsxux", readlinkat = "fsxu",
  faccessat = "fso", faccessat2 = "fsox", unlinkat = "fsx", mkdirat = "fso",
  renameat2 = "fsfsx", getdents64 = "dxu", getcwd = "xu", chdir = "s",
  pipe2 = "xx", brk = "x", mmap = "xuxxdx", munmap = "xu",
  mprotect = "xux", madvise = "xud", mremap = "xuuxx",
  exit = "d", exit_group = "d", getpid = "", gettid = "", getppid = "",
  getuid = "", geteuid = "", getgid = "", getegid = "", sched_yield = "",
  clone = "xxxxx", execve = "sxx", wait4 = "dxxx", kill = "dd",
  tgkill = "ddd", tkill = "dd", rt_sigaction = "dxxu",
  rt_sigprocmask = "dxxu", rt_sigreturn = "", set_tid_address = "x",
  set_robust_list = "xu", prlimit64 = "ddxx", futex = "xdux",
  getrandom = "xux", uname = "x", clock_gettime = "dx",
  clock_nanosleep = "dxxx", nanosleep = "xx", ppoll = "xuxxu",
  sigaltstack = "xx", umask = "o",
}
-- results shown in hex
local hexret = { brk = true, mmap = true, mremap = true }

local function cstring(addr)
  local out = {}
  for i = 0, 255, 16 do
    local chunk = vmrun.read_virt(addr + i, 16)
    if not chunk then
      -- near the end of a mapping: byte by byte
      for j = i, i + 15 do
        local c = vmrun.read_virt(addr + j, 1)
        if not c then
          if j == 0 then return string.format("0x%x", addr) end
          return string.format("%q", table.concat(out))
        end
        if c == "\0" then return string.format("%q", table.concat(out)) end
        out[#out + 1] = c
      end
    else
      local z = chunk:find("\0", 1, true)
      if z then
        out[#out + 1] = chunk:sub(1, z - 1)
        return string.format("%q", table.concat(out))
      end
      out[#out + 1] = chunk
    end
  end
  return string.format("%q...", table.concat(out))
end

local function fmt_arg(kind, v)
  if kind == "d" then
    return tostring(v)
  elseif kind == "u" then
    return string.format("%u", v) -- lua integers print signed; fine <2^63
  elseif kind == "s" then
    if v == 0 then return "NULL" end
    return cstring(v)
  elseif kind == "f" then
    if v == -100 then return "AT_FDCWD" end
    return tostring(v)
  elseif kind == "o" then
    return string.format("0%o", v)
  elseif kind == "O" then
    local acc = v & 3
    local parts = { acc == 0 and "O_RDONLY" or acc == 1 and "O_WRONLY"
                    or acc == 2 and "O_RDWR" or "O_ACCMODE" }
    local rest = v & ~3
    for _, f in ipairs(oflags) do
      if rest & f[1] ~= 0 then
        parts[#parts + 1] = f[2]
        rest = rest & ~f[1]
      end
    end
    if rest ~= 0 then parts[#parts + 1] = string.format("0x%x", rest) end
    return table.concat(parts, "|")
  end
  return v == 0 and "0" or string.format("0x%x", v)
end

local function call_text(s)
  local kinds = sig[s.name] or "xxxxxx"
  -- the mode only with O_CREAT or O_TMPFILE, as strace shows it
  if s.name == "openat" and s.a2 & 0x40 == 0 and s.a2 & 0x410000 ~= 0x410000
  then
    kinds = "fsO"
  end
  local a = {}
  for i = 1, #kinds do a[i] = fmt_arg(kinds:sub(i, i), s.args[i]) end
  return s.name .. "(" .. table.concat(a, ", ") .. ")"
end

local first_tid
local function emit(s, text, result)
  first_tid = first_tid or s.tid
  local who = ""
  if all_tids or s.tid ~= first_tid then
    who = string.format("[tid %d] ", s.tid)
  end
  print(prefix .. who .. text .. " = " .. result)
end

local pending = {} -- tid -> the call's text, built at entry

vmrun.on_syscall(function(s)
  first_tid = first_tid or s.tid
  local text = call_text(s) -- at entry: the arguments may be overwritten
  if s.name == "exit" or s.name == "exit_group" then
    emit(s, text, "?")
  elseif s.name == "execve" then
    -- a successful execve never returns here, and the new program runs
    -- without scripts: show the attempt now (a failure adds a full line)
    first_tid = first_tid or s.tid
    local who = (all_tids or s.tid ~= first_tid)
                and string.format("[tid %d] ", s.tid) or ""
    print(prefix .. who .. text .. " ...")
    pending[s.tid] = { text = text, s = s }
  else
    pending[s.tid] = { text = text, s = s }
  end
end)

vmrun.on_syscall_exit(function(s)
  local p = pending[s.tid]
  pending[s.tid] = nil
  local text = p and p.text or call_text(s)
  local r = s.ret
  local result
  if r < 0 and r >= -4095 then
    result = "-1 " .. (errno[-r] or ("E" .. tostring(-r)))
  elseif hexret[s.name] then
    result = string.format("0x%x", r)
  else
    result = tostring(r)
  end
  emit(s, text, result)
end)

-- a fork's child has a copy of this state, with the parent's clone
-- pending: in the parent a clone always returns, so a pending clone is
-- that copy, not a call of this process
local forks = { clone = true, clone3 = true }

vmrun.on_exit(function()
  local tids = {}
  for tid, p in pairs(pending) do
    if not forks[p.s.name] then tids[#tids + 1] = tid end
  end
  table.sort(tids)
  for _, tid in ipairs(tids) do emit(pending[tid].s, pending[tid].text, "?") end
end)
