-- coverage.lua - the set of executed guest PCs (virtual addresses), one
-- hex address per line, sorted: every instruction of every block run
-- (default), or only block entry PCs (blocks=1).  A block's instruction
-- addresses come from vmrun.disas when the block first runs, so the
-- per-block cost is paid once.  A block cut short by an exception lists
-- its instructions after the faulting one too (docs/lua.md, Accuracy).
-- Args: file (write there; needs --script-unsafe for io), else stdout;
--       blocks (1 = block entry PCs only).
-- Usage: vmrun --script-unsafe --script scripts/lua/coverage.lua:file=cov.txt m.yaml
local blocks_only = args.blocks == "1"
local seen, done = {}, {}

vmrun.on_block(function(pc, n)
  if done[pc] then return end
  done[pc] = true
  if blocks_only then seen[pc] = true; return end
  local text = vmrun.disas(pc, n)
  for a in text:gmatch("0x(%x+):") do seen[tonumber(a, 16)] = true end
end)

vmrun.on_exit(function(code)
  local pcs = {}
  for pc in pairs(seen) do pcs[#pcs + 1] = pc end
  table.sort(pcs, function(a, b) return math.ult(a, b) end)
  local out
  if args.file then
    if not io then
      error("coverage: file= needs --script-unsafe (the io library)")
    end
    out = assert(io.open(args.file, "w"))
  end
  for _, pc in ipairs(pcs) do
    local line = string.format("0x%x", pc)
    if out then out:write(line, "\n") else print("coverage: " .. line) end
  end
  if out then out:close() end
end)
