-- watchpoint.lua - stop when the guest changes a watched word.
-- A vmrun.on_mem write hook on the word's addresses: it runs right after
-- every guest store that touches them, so the reported pc is the storing
-- instruction's own (no polling).  Stores that write the same value do not
-- count as a change.
-- Args: addr (guest virtual address, required; the physical one when the
--       guest runs without paging), size (1, 2, 4 or 8; default 4),
--       from, to (only stores by instructions in this PC range, inclusive;
--       default: every store),
--       code (exit status when it fires; default 0).
-- Usage: vmrun --script scripts/lua/watchpoint.lua:addr=0x80001000 m.yaml
local addr = tonumber(args.addr) or error("watchpoint: args.addr is required")
local size = tonumber(args.size or "4")
local readers = { [1] = vmrun.read_u8, [2] = vmrun.read_u16,
                  [4] = vmrun.read_u32, [8] = vmrun.read_u64 }
local read = readers[size] or error("watchpoint: size must be 1, 2, 4 or 8")
local from = tonumber(args.from or "0")
local to = args.to and tonumber(args.to) or -1  -- -1: all ones, unsigned
local last = read(addr)

vmrun.on_mem(function(a, n, is_write, value, pc)
  if math.ult(pc, from) or math.ult(to, pc) then return end
  local v = read(addr)
  if v ~= last then
    print(string.format("watchpoint: [0x%x] changed 0x%x -> 0x%x by the "
                        .. "instruction at pc=0x%x", addr, last, v, pc))
    last = v
    vmrun.exit_code(tonumber(args.code or "0"))
    vmrun.stop()
  end
end, { from = addr, to = addr + size - 1, read = false })
