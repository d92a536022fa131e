-- wrk script for W5-cold: every request a different member (tests/benchmarks/load.py).
--
-- Argument (after "--"): a file written by the harness, one line per member:
--   cookie  <cookie header>   (session + CSRF)
-- Each cookie is sent once, in order. A connection asks delay() before every
-- request; once the cookies are all taken the answer is an hour, so the
-- connection waits rather than send a member twice. When every member has had
-- a response the script prints "BENCH_DONE" and the harness stops wrk (SIGINT);
-- wrk's own duration would include that wait, so the run's duration is
-- measured here, from the first request sent to the last response.
--
-- One wrk thread only (-t1). A waiting connection is already connected, and a
-- sync gunicorn worker that accepts it waits for its request: with one thread,
-- every waiting connection queues behind the last member's, so the workers
-- answer all the members first. A second thread running out before the first
-- would park its connections in front of the other's members and stall both
-- workers until gunicorn's timeout.

local ffi = require("ffi")
ffi.cdef [[
   typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
   int clock_gettime(int clock, bench_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local PARKED_MS = 3600 * 1000
local clock = ffi.new("bench_timespec")

local function now_us()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
   return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   if counter > 1 then
      error("cold.lua runs on one wrk thread (-t1): see the top of the script")
   end
   table.insert(threads, thread)
end

function init(args)
   mine = {}
   for line in io.lines(args[1]) do
      local kind, value = line:match("^([^\t]+)\t(.*)$")
      if kind == "cookie" then
         table.insert(mine, value)
      end
   end
   members = #mine
   reserved, sent, answered, not_2xx, reused = 0, 0, 0, 0, 0
   first_us, last_us = 0, 0
   if members == 0 then
      io.write("BENCH_DONE\n")
      io.flush()
   end
end

function delay()
   if reserved >= members then
      return PARKED_MS
   end
   reserved = reserved + 1
   return 0
end

function request()
   if reserved == 0 then
      -- wrk calls request() once before the run to check what it returns:
      -- nothing is sent then, so no member is used up.
      return wrk.format("GET", nil, { ["Cookie"] = mine[1] })
   end
   sent = sent + 1
   if sent > reserved then
      -- A reconnection after a socket error asks no delay(): count it as taken.
      reserved = sent
   end
   local cookie = mine[sent]
   if cookie == nil then
      reused = reused + 1
      cookie = mine[members]
   end
   if first_us == 0 then
      first_us = now_us()
   end
   return wrk.format("GET", nil, { ["Cookie"] = cookie })
end

function response(status, headers, body)
   answered = answered + 1
   last_us = now_us()
   if status < 200 or status > 299 then
      not_2xx = not_2xx + 1
   end
   if answered == members then
      io.write("BENCH_DONE\n")
      io.flush()
   end
end

function done(summary, latency, requests)
   local thread = threads[1]
   local first, last = thread:get("first_us"), thread:get("last_us")
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "wrk_duration_us": %d, "bytes": %d, '
         .. '"members": %d, "not_2xx": %d, "reused": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
         .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
      thread:get("answered"), first > 0 and math.max(last - first, 0) or 0, summary.duration,
      summary.bytes, thread:get("members"), thread:get("not_2xx"), thread:get("reused"),
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
