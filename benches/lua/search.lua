-- Name pre-fill with varied prefixes (the register's common surname starts).
local prefixes = { "ma", "mar", "mart", "du", "dur", "dura", "le", "leb", "lef", "ber", "ber", "pe", "pet", "ro",
  "rou", "mo", "mor", "gi", "gir", "fa", "fau", "da", "dar", "nd", "ndi", "bo", "bon", "la", "lam", "ga", "gar", "me", "mer" }
local counter = 0
function request()
  counter = counter + 1
  local q = prefixes[(counter % #prefixes) + 1]
  return wrk.format("GET", "/v1/registry/members?q=" .. q .. "&limit=10")
end
