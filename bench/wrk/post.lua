-- POST /api/v1/complaints, each with an Idempotency-Key of its own (run, thread, counter), so
-- that every request registers a new complaint rather than replaying the first answer.
-- The statuses are counted: a 2xx that is not 201 would be a replay, which is not the work
-- being measured.
dofile("common.lua")

local run = os.getenv("BENCH_RUN")
local received_at = os.getenv("BENCH_RECEIVED_AT")
local handler = os.getenv("BENCH_HANDLER")
-- BENCH_TOKENS (space-separated) spreads the registrations over organisations, a token each,
-- in turn; without it every request carries BENCH_TOKEN.
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "%S+") do
   tokens[#tokens + 1] = token
end
local counter = 0
statuses = {}

function init(args)
   seed_random()
end

function request()
   counter = counter + 1
   local key = string.format("%s-%d-%d", run, thread_number, counter)
   local body = string.format(
      '{"kind":"complaint","received_at":"%s","reported_by":"client",' ..
      '"complainant":{"name":"Benchmark klager"},"client":{"id":"BENCH-%d","name":"Benchmark cliënt"},' ..
      '"matter_reference":"%s","description":"Geregistreerd door de benchmark.","handler_id":"%s"}',
      received_at, thread_number, key, handler)
   -- wrk.format uses the headers it is given instead of wrk.headers, not on top of them.
   local headers = {}
   for name, value in pairs(wrk.headers) do
      headers[name] = value
   end
   if #tokens > 0 then
      headers["Authorization"] = "Bearer " .. tokens[counter % #tokens + 1]
   end
   headers["Content-Type"] = "application/json"
   headers["Idempotency-Key"] = key
   return wrk.format("POST", "/api/v1/complaints", headers, body)
end

function response(status, headers, body)
   local name = tostring(status)
   statuses[name] = (statuses[name] or 0) + 1
end
