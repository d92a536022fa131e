-- wrk script for W7: logged-in members posting comments (tests/benchmarks/load.py).
--
-- Argument (after "--"): a file written by the harness, tab-separated lines:
--   tag     <run tag>                 put in every body, so the posts can be found
--   log     <folder>                  where each wrk thread writes post-<n>.log
--   member  <cookie header> <token>   one line per member (session + CSRF)
--   target  <posting path>            one line per thread to post into
-- Each request takes the next member and the next target round-robin, with a body
-- no other request uses ("... <tag>-<thread>-<n> ..."). Each response is logged
-- as "<status> <Location>", so the harness can match acknowledged posts with the
-- rows stored.

local threads = {}
local counter = 0

local FILLER = " I watched this one twice and keep noticing small details in the "
   .. "background of the classroom scenes. The soundtrack is doing a lot of work "
   .. "here, and the quiet moments between the big scenes are my favourite part. "
   .. "Also, >!that reveal made me rewind twice!<.\n\n"
   .. "- the lighting in the night scenes\n- the hallway camera work\n"
   .. "- the music cue before the credits"

local function urlencode(text)
   return (text:gsub("[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   members, targets = {}, {}
   for line in io.lines(args[1]) do
      local fields = {}
      for field in line:gmatch("[^\t]+") do
         table.insert(fields, field)
      end
      if fields[1] == "tag" then
         tag = fields[2]
      elseif fields[1] == "log" then
         log = io.open(fields[2] .. "/post-" .. id .. ".log", "w")
      elseif fields[1] == "member" then
         table.insert(members, { cookie = fields[2], token = fields[3] })
      elseif fields[1] == "target" then
         table.insert(targets, fields[2])
      end
   end
   filler = urlencode(FILLER)
   sent, acknowledged, refused = 0, 0, 0
end

function request()
   sent = sent + 1
   -- Threads start at different members so the two never move in step.
   local member = members[(sent + id * 7) % #members + 1]
   local target = targets[(sent * 13 + id) % #targets + 1]
   local body = "Benchmark comment " .. tag .. "-" .. id .. "-" .. sent .. "."
   local form = "csrfmiddlewaretoken=" .. member.token
      .. "&body=" .. urlencode(body) .. filler
      .. "&spoils_episode=&parent="
   return wrk.format("POST", target, {
      ["Cookie"] = member.cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
   }, form)
end

function response(status, headers, body)
   local location = headers["Location"] or headers["location"] or "-"
   if status == 302 then
      acknowledged = acknowledged + 1
   else
      refused = refused + 1
   end
   log:write(status, " ", location, "\n")
   log:flush()
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
