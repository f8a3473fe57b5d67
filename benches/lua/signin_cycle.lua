-- Sign-in with a wrong password, a different identifier each time (PREFIX .. n), so that the
-- per-identifier lock never kicks in: known and unknown identifiers are timed on the same path.
local prefix
local counter = 0
function init(args)
  prefix = args[1]
end
function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/sessions", { ["Content-Type"] = "application/json" },
    '{"identifier":"' .. prefix .. counter .. '","password":"Wrong-pass-1!"}')
end
