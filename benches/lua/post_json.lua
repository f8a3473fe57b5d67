-- POST a fixed JSON body (BODY and PATH_ARG from the command line: wrk ... -- /path '{"a":1}').
local path, body
function init(args)
  path = args[1]
  body = args[2]
end
function request()
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end
