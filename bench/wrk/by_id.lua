-- GET /api/v1/complaints/{id} with ids drawn at random from the seeded ones (BENCH_IDS_FILE,
-- one id a line), so that the database's cache is not one row.
dofile("common.lua")

local ids = {}
-- BENCH_SUFFIX reads a part of the complaint instead (e.g. "/classification").
local suffix = os.getenv("BENCH_SUFFIX") or ""

function init(args)
   seed_random()
   for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
      ids[#ids + 1] = line
   end
end

function request()
   return wrk.format("GET", "/api/v1/complaints/" .. ids[math.random(#ids)] .. suffix)
end
