-- coverage.lua - the set of executed translation-block PCs (guest virtual
-- addresses), one hex address per line, sorted.
-- Args: file (write there; needs --script-unsafe for io), else stdout.
-- Usage: vmrun --script-unsafe --script scripts/lua/coverage.lua:file=cov.txt m.yaml
local seen = {}

vmrun.on_block(function(pc, n) seen[pc] = true end)

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
