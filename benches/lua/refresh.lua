-- Each refresh token works once: every thread takes its own slice of the tokens file.
local threads = {}
local thread_count = 0
function setup(thread)
  thread:set("index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end
local tokens = {}
local next_token = 1
function init(args)
  local file = io.open(args[1], "r")
  local all = {}
  for line in file:lines() do table.insert(all, line) end
  file:close()
  local count = tonumber(args[2])
  local per = math.floor(#all / count)
  local first = index * per + 1
  for i = first, first + per - 1 do table.insert(tokens, all[i]) end
end
function request()
  local token = tokens[next_token] or tokens[#tokens]
  next_token = next_token + 1
  return wrk.format("POST", "/v1/sessions/refresh", { ["Content-Type"] = "application/json" },
    '{"refresh_token":"' .. token .. '"}')
end
