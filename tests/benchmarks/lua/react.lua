-- wrk script for W9 (W-react): logged-in members reacting to comments of the big
-- thread (tests/benchmarks/run.py, react_workload).
--
-- Argument (after "--"): a file written by the harness, tab-separated lines:
--   threads <n>                      wrk's -t, so request numbers never collide
--   member  <cookie header> <token>  one line per member (session + CSRF)
--   react   <path> <member> <value>  one line per reaction to give: the comment's
--                                    react path, the member's line number (1-based)
--                                    and "<kind>:on"
-- Request n of wrk thread t gives reaction number (n - 1) * threads + t, so no two
-- requests give the same one until the list wraps around (then they repeat, and
-- change nothing). Only the 302 after a stored reaction counts as acknowledged;
-- the harness compares that count with the rows stored.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   members, reactions, nthreads = {}, {}, 1
   for line in io.lines(args[1]) do
      local fields = {}
      for field in line:gmatch("[^\t]+") do
         table.insert(fields, field)
      end
      if fields[1] == "threads" then
         nthreads = tonumber(fields[2])
      elseif fields[1] == "member" then
         table.insert(members, { cookie = fields[2], token = fields[3] })
      elseif fields[1] == "react" then
         table.insert(reactions, { path = fields[2], member = tonumber(fields[3]), value = fields[4] })
      end
   end
   sent, acknowledged, refused = 0, 0, 0
end

function request()
   sent = sent + 1
   local number = ((sent - 1) * nthreads + id - 1) % #reactions + 1
   local reaction = reactions[number]
   local member = members[reaction.member]
   local form = "csrfmiddlewaretoken=" .. member.token .. "&react=" .. reaction.value
   return wrk.format("POST", reaction.path, {
      ["Cookie"] = member.cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
   }, form)
end

function response(status, headers, body)
   if status == 302 then
      acknowledged = acknowledged + 1
   else
      refused = refused + 1
   end
end

function done(summary, latency, requests)
   local totals = { sent = 0, acknowledged = 0, refused = 0 }
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + (thread:get(name) or 0)
      end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "sent": %d, '
         .. '"acknowledged": %d, "refused": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
         .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
      summary.requests, summary.duration, summary.bytes, totals.sent,
      totals.acknowledged, totals.refused,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
