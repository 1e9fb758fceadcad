-- insn-count.lua - guest instructions executed per privilege mode.
-- A block never spans a privilege change, so the mode at block entry
-- (vmrun.reg("priv")) holds for all its n instructions.
-- Usage: vmrun --script scripts/lua/insn-count.lua machine.yaml
-- Note: a block cut short by an exception still counts all its
-- instructions (see docs/lua.md, "Accuracy").
local mode_name = { [0] = "U", [1] = "S", [3] = "M" }
local count = {}

vmrun.on_block(function(pc, n)
  local p = vmrun.reg("priv")
  count[p] = (count[p] or 0) + n
end)

vmrun.on_exit(function(code)
  local total = 0
  for _, n in pairs(count) do total = total + n end
  for _, p in ipairs({ 3, 1, 0 }) do
    if count[p] then
      print(string.format("insn-count: %s-mode %d (%.1f%%)", mode_name[p],
                          count[p], 100 * count[p] / total))
    end
  end
  print(string.format("insn-count: total %d (vmrun icount %d)", total,
                      vmrun.icount()))
end)
