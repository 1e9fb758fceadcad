-- hot-blocks.lua - the N most executed translation blocks, printed at exit.
-- Args: n (default 10).
-- Usage: vmrun --script scripts/lua/hot-blocks.lua:n=20 machine.yaml
local top = tonumber(args.n or "10")
local hits, size = {}, {}

vmrun.on_block(function(pc, n)
  hits[pc] = (hits[pc] or 0) + 1
  size[pc] = n
end)

vmrun.on_exit(function(code)
  local pcs = {}
  for pc in pairs(hits) do pcs[#pcs + 1] = pc end
  table.sort(pcs, function(a, b)
    if hits[a] ~= hits[b] then return hits[a] > hits[b] end
    return math.ult(a, b)
  end)
  print(string.format("hot-blocks: %d distinct blocks; top %d:", #pcs,
                      math.min(top, #pcs)))
  for i = 1, math.min(top, #pcs) do
    local pc = pcs[i]
    print(string.format("hot-blocks: %2d  pc=0x%x  runs %d  insns/run %d",
                        i, pc, hits[pc], size[pc]))
  end
end)
