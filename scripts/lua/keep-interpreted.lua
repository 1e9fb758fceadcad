-- keep-interpreted.lua - a tiering policy for engine tiered: the blocks of
-- one function (by symbol) are never compiled by the JIT, every other hot
-- block is (docs/lua.md).  Useful to compare a function's cost in the two
-- tiers, or to keep a function the JIT mistranslates out of it.
-- A block belongs to the function when vmrun.symbol(pc) names it (the
-- nearest symbol at or below pc), or, with size=, when pc lies in
-- [fn, fn + size).  The policy is asked once per block, when the block
-- reaches hot_threshold; at exit the script prints the blocks it kept.
-- Args: fn (required: a symbol of the firmware/kernel or machine.symbols),
--       size (optional, bytes), threshold (optional: hot_threshold to set).
-- Usage: vmrun --script scripts/lua/keep-interpreted.lua:fn=hot_loop m.yaml
local fn = args.fn or error("keep-interpreted: give the function: fn=NAME")
local base = vmrun.lookup(fn) or error("keep-interpreted: no symbol '" .. fn .. "'")
local size = args.size and math.tointeger(tonumber(args.size))
if args.size and not size then error("keep-interpreted: size: expected bytes") end
if args.threshold then
  vmrun.set_engine_option("hot_threshold", math.tointeger(tonumber(args.threshold)))
end

local function inside(pc)
  if size then return pc >= base and pc < base + size end
  return vmrun.symbol(pc) == fn
end

local kept, asked = {}, 0
vmrun.tier_policy(function(b)
  asked = asked + 1
  if inside(b.pc) then
    kept[#kept + 1] = b.pc
    return false
  end
  return true
end)

vmrun.on_exit(function()
  table.sort(kept)
  print(string.format("keep-interpreted: %s: kept %d of %d hot blocks " ..
                      "interpreted (hot_threshold %d)", fn, #kept, asked,
                      vmrun.engine_option("hot_threshold")))
  for _, pc in ipairs(kept) do
    local name, off = vmrun.symbol(pc)
    print(string.format("keep-interpreted:   0x%x <%s+0x%x>", pc, name or "?",
                        off or 0))
  end
end)
