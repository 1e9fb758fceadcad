-- watchpoint.lua - stop when the guest changes a watched physical word.
-- Checks the word before every instruction in a PC range (an on_insn hook),
-- so the instruction that changed it is the one executed just before.
-- Args: addr (physical address, required), size (1, 2, 4 or 8; default 4),
--       from, to (PC range to instrument, inclusive; default: everything),
--       code (exit status when it fires; default 0).
-- Usage: vmrun --script scripts/lua/watchpoint.lua:addr=0x80001000 m.yaml
local addr = tonumber(args.addr) or error("watchpoint: args.addr is required")
local size = tonumber(args.size or "4")
local readers = { [1] = vmrun.read_u8, [2] = vmrun.read_u16,
                  [4] = vmrun.read_u32, [8] = vmrun.read_u64 }
local read = readers[size] or error("watchpoint: size must be 1, 2, 4 or 8")
local range = nil
if args.from or args.to then
  range = { from = tonumber(args.from or "0"),
            to = tonumber(args.to or "-1") }
end
local last = read(addr)
local prev_pc = nil

vmrun.on_insn(function(pc)
  local v = read(addr)
  if v ~= last then
    print(string.format("watchpoint: [0x%x] changed 0x%x -> 0x%x by the "
                        .. "instruction at pc=0x%x", addr, last, v,
                        prev_pc or pc))
    last = v
    vmrun.exit_code(tonumber(args.code or "0"))
    vmrun.stop()
  end
  prev_pc = pc
end, range)
