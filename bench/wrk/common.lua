-- Loaded by every script (wrk runs with bench/wrk as its working directory). run.py passes
-- the settings through the environment: wrk hands its extra arguments to init() only, and
-- the request headers must be fixed before the first request.

local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
   wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.headers["Accept"] = "application/json"

local threads = {}

function setup(thread)
   thread:set("thread_number", #threads + 1)
   table.insert(threads, thread)
end

-- Distinct random sequences per thread: otherwise every thread asks for the same ids.
function seed_random()
   math.randomseed(os.time() * 1000 + (thread_number or 0))
end

-- One line run.py parses; latencies in microseconds.
function done(summary, latency, requests)
   local statuses = {}
   for _, thread in ipairs(threads) do
      local counted = thread:get("statuses")
      if counted then
         for status, n in pairs(counted) do
            statuses[status] = (statuses[status] or 0) + n
         end
      end
   end
   local parts = {}
   for status, n in pairs(statuses) do
      table.insert(parts, string.format('"%s":%d', status, n))
   end
   io.write(string.format(
      'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"statuses":{%s}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
      latency.mean, summary.errors.connect, summary.errors.read, summary.errors.write,
      summary.errors.status, summary.errors.timeout, table.concat(parts, ",")))
end
