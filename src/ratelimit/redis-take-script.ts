/**
 * takeFromWindows (src/ratelimit/fixed-windows.ts) in Lua, so that reading, checking and counting
 * every window of a key is one atomic round trip shared by all instances, on one clock: Redis
 * `TIME`. KEYS[1]: the hash of one operation × app × tenant, with fields `w<seconds>` (start of
 * that window) and `c<seconds>` (its count). ARGV: limit, window seconds, for each rule.
 * Returns {1} when admitted, {0, limit, reset seconds} when refused (nothing counted).
 */
export const takeScript = `
local now = tonumber(redis.call('TIME')[1])
local refusedLimit, refusedReset, refusedWindow = 0, 0, 0
local fields, longest = {}, 1
for i = 1, #ARGV, 2 do
  local limit, window = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local start = now - now % window
  local stored = redis.call('HMGET', KEYS[1], 'w' .. window, 'c' .. window)
  local count = 0
  if tonumber(stored[1]) == start then count = tonumber(stored[2]) end
  if count >= limit then
    local reset = start + window - now
    if reset > refusedReset or (reset == refusedReset and window > refusedWindow) then
      refusedLimit, refusedReset, refusedWindow = limit, reset, window
    end
  end
  table.insert(fields, 'w' .. window)
  table.insert(fields, start)
  table.insert(fields, 'c' .. window)
  table.insert(fields, count + 1)
  if window > longest then longest = window end
end
if refusedReset > 0 then return {0, refusedLimit, refusedReset} end
if #fields > 0 then
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('EXPIRE', KEYS[1], longest)
end
return {1}
`;
