-- The name pre-fill at a fixed offered load: each connection waits PACE_MS between its requests
-- (64 connections × 1 request / 4 ms ≈ 16,000 requests per second offered at most), so the p99
-- measures the service, not the queue of a machine saturated by the load generator itself.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "search.lua")
local PACE_MS = 4
function delay()
  return PACE_MS
end
