-- trap-count.lua - traps (exceptions and interrupts) taken, by kind.
-- An on_trap hook counts each trap entry by its name ("ecall_u",
-- "page_fault_load", "timer_s"...); at exit the kinds are printed, most
-- frequent first, with the total.
-- Args: top (default: all kinds).
-- Usage: vmrun --script scripts/lua/trap-count.lua machine.yaml
local top = tonumber(args.top or "0")
local count, interrupt = {}, {}
local nexc, nint = 0, 0

vmrun.on_trap(function(t)
  count[t.name] = (count[t.name] or 0) + 1
  interrupt[t.name] = t.is_interrupt
  if t.is_interrupt then nint = nint + 1 else nexc = nexc + 1 end
end)

vmrun.on_exit(function()
  local names = {}
  for name in pairs(count) do names[#names + 1] = name end
  table.sort(names, function(a, b)
    if count[a] ~= count[b] then return count[a] > count[b] end
    return a < b
  end)
  for i, name in ipairs(names) do
    if top > 0 and i > top then break end
    print(string.format("trap-count: %-9s %-20s %d",
                        interrupt[name] and "interrupt" or "exception", name,
                        count[name]))
  end
  print(string.format("trap-count: total %d (%d exceptions, %d interrupts)",
                      nexc + nint, nexc, nint))
end)
