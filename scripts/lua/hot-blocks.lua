-- hot-blocks.lua - the hottest translation blocks, printed at exit: the
-- top N by number of runs, and the top N by instructions executed
-- (runs x block length), the stand-in for time (docs/lua.md).  Each block
-- is shown with its PC, symbol+offset (vmrun.symbol: ELF symbols of the
-- firmware/kernel, machine.symbols files) and its disassembly (taken
-- when the block first runs, through the MMU mapping of that moment).
-- Args: n (default 10), disas (default 1; 0 = no disassembly).
-- Usage: vmrun --script scripts/lua/hot-blocks.lua:n=20 machine.yaml
local top = tonumber(args.n or "10")
local want_disas = (args.disas or "1") ~= "0"
local hits, size, text = {}, {}, {}

vmrun.on_block(function(pc, n)
  local h = hits[pc]
  if h then
    hits[pc] = h + 1
  else
    hits[pc] = 1
    size[pc] = n
    if want_disas then text[pc] = vmrun.disas(pc, n) end
  end
end)

local function where(pc)
  local name, off = vmrun.symbol(pc)
  if not name then return "" end
  return string.format(" <%s+0x%x>", name, off)
end

local function report(title, pcs, total)
  print(string.format("hot-blocks: top %d by %s:", math.min(top, #pcs), title))
  for i = 1, math.min(top, #pcs) do
    local pc = pcs[i]
    local insns = hits[pc] * size[pc]
    print(string.format("hot-blocks: %2d  pc=0x%x%s  runs %d  insns/run %d  " ..
                        "insns %d (%.1f%%)", i, pc, where(pc), hits[pc],
                        size[pc], insns, 100 * insns / total))
    if text[pc] then
      for line in text[pc]:gmatch("[^\n]+") do
        print("hot-blocks:        " .. line)
      end
    end
  end
end

vmrun.on_exit(function(code)
  local pcs, total = {}, 0
  for pc in pairs(hits) do
    pcs[#pcs + 1] = pc
    total = total + hits[pc] * size[pc]
  end
  print(string.format("hot-blocks: %d distinct blocks, %d instructions in " ..
                      "blocks run", #pcs, total))
  if total == 0 then return end
  table.sort(pcs, function(a, b)
    if hits[a] ~= hits[b] then return hits[a] > hits[b] end
    return math.ult(a, b)
  end)
  report("runs", pcs, total)
  table.sort(pcs, function(a, b)
    local ia, ib = hits[a] * size[a], hits[b] * size[b]
    if ia ~= ib then return ia > ib end
    return math.ult(a, b)
  end)
  report("instructions (runs x length)", pcs, total)
end)
