-- wrk script for W11 (premiere night)'s readers: anonymous visitors reading a few
-- pages in turn (tests/benchmarks/run.py, premiere_workload).
--
-- Argument (after "--"): a file written by the harness, tab-separated lines:
--   page    <path>                a page, as its canonical link gives it
--   last    <thread path> <page>  a thread's last page, number <page> at the start
-- Each wrk thread reads the pages in turn, thread t starting at page t, so every
-- page gets a quarter of each thread's requests (with four pages).
-- The last page moves as comments are posted: when a response of the last page
-- links to the next page number, the thread reads that one from then on.
-- wrk does not say which request a response answers, so each response is
-- matched to its page by the canonical link in its <head> (any page of the
-- thread from the starting number on is its last page); per page the script
-- counts the responses and their X-Page-Cache header (hit, miss, anything else
-- or none). Like read.lua, every status but 2xx is counted as unexpected.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   pages, index = {}, {}
   last_slot, last_thread, first_last, last_page = nil, nil, 0, 0
   for line in io.lines(args[1]) do
      local fields = {}
      for field in line:gmatch("[^\t]+") do
         table.insert(fields, field)
      end
      if fields[1] == "page" then
         table.insert(pages, fields[2])
         index[fields[2]] = #pages
      elseif fields[1] == "last" then
         table.insert(pages, false) -- its path is worked out at each request
         last_slot, last_thread = #pages, fields[2]
         first_last, last_page = tonumber(fields[3]), tonumber(fields[3])
      end
   end
   requests_by_page, hits, misses, uncached = {}, {}, {}, {}
   for number = 1, #pages + 1 do -- the last one: responses matching no page
      requests_by_page[number], hits[number], misses[number], uncached[number] = 0, 0, 0, 0
   end
   sent, not_2xx = 0, 0
end

function request()
   sent = sent + 1
   local path = pages[(sent + id - 2) % #pages + 1]
   if not path then
      path = last_thread .. "?page=" .. last_page
   end
   return wrk.format("GET", path)
end

local function page_of(body)
   local href = body:match('<link rel="canonical" href="([^"]*)"')
   if href == nil then
      return #pages + 1
   end
   href = href:gsub("^https?://[^/]*", "", 1)
   if index[href] then
      return index[href]
   end
   if last_slot and href:sub(1, #last_thread + 6) == last_thread .. "?page=" then
      local number = tonumber(href:sub(#last_thread + 7))
      if number and number >= first_last then
         return last_slot
      end
   end
   return #pages + 1
end

local function follow_last_page(body)
   -- A link to the next page ("?page=N" or "&amp;page=N"): it is the last now.
   while body:find("[?;]page=" .. (last_page + 1) .. "[^%d]") do
      last_page = last_page + 1
   end
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      not_2xx = not_2xx + 1
   end
   local number = page_of(body)
   if number == last_slot then
      follow_last_page(body)
   end
   requests_by_page[number] = requests_by_page[number] + 1
   local cached = headers["X-Page-Cache"] or headers["x-page-cache"]
   if cached == "hit" then
      hits[number] = hits[number] + 1
   elseif cached == "miss" then
      misses[number] = misses[number] + 1
   else
      uncached[number] = uncached[number] + 1
   end
end

function done(summary, latency, requests)
   local bad, counts, reached = 0, nil, 0
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("not_2xx") or 0)
      reached = math.max(reached, thread:get("last_page") or 0)
      local mine = {
         requests = thread:get("requests_by_page"),
         hit = thread:get("hits"),
         miss = thread:get("misses"),
         other = thread:get("uncached"),
      }
      if counts == nil then
         counts = mine
      else
         for name, values in pairs(mine) do
            for number, value in ipairs(values) do
               counts[name][number] = counts[name][number] + value
            end
         end
      end
   end
   local rows = {}
   for number = 1, #counts.requests do
      table.insert(rows, string.format(
         '{"requests": %d, "hit": %d, "miss": %d, "other": %d}',
         counts.requests[number], counts.hit[number], counts.miss[number],
         counts.other[number]))
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "not_2xx": %d, '
         .. '"pages": [%s], "last_page": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
         .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
      summary.requests, summary.duration, summary.bytes, bad, table.concat(rows, ", "), reached,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
