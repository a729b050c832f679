/**
 * The Lua scripts of the Redis store. Each runs atomically, so a batch's claims never interleave with
 * another instance's, and a batch costs one round trip whatever its number of threads.
 */

/**
 * KEYS: the epoch key, then per thread its value, id-hash and body-list keys. ARGV: now (ms), TTL (ms), then
 * per thread `from` (-1: no bodies wanted), the number of entries n, whether they have bodies (1/0),
 * `fromId` (the id the caller read at `from - 1`; '' if none), the n ids, and the n bodies when they have them. Answers whether the store is fresh (1/0), then per thread its
 * value ('' for none), one '1'/'0' per entry (added or already held), `start`, and the bodies from `start`.
 */
export const SYNC_SCRIPT = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local since = tonumber(redis.call('GET', KEYS[1]))
redis.call('PEXPIRE', KEYS[1], ttl)
local out = { (now - since < ttl) and 1 or 0 }
local a = 3
for k = 2, #KEYS, 3 do
  local vkey, hkey, lkey = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  local from = tonumber(ARGV[a])
  local n = tonumber(ARGV[a + 1])
  local bodies = ARGV[a + 2] == '1'
  local fromId = ARGV[a + 3]
  local ids = a + 4
  a = ids + (bodies and 2 * n or n)
  local len = redis.call('HLEN', hkey)
  local start, tail = 0, {}
  if from >= 0 then
    if from <= len and (from == 0 or tonumber(redis.call('HGET', hkey, fromId)) == from - 1) then start = from end
    if len > start then tail = redis.call('LRANGE', lkey, start, len - 1) end
  end
  local added = {}
  for i = 0, n - 1 do
    if redis.call('HSETNX', hkey, ARGV[ids + i], len) == 1 then
      len = len + 1
      added[i + 1] = '1'
      if bodies then redis.call('RPUSH', lkey, ARGV[ids + n + i]) end
    else
      added[i + 1] = '0'
    end
  end
  redis.call('PEXPIRE', hkey, ttl)
  redis.call('PEXPIRE', lkey, ttl)
  redis.call('PEXPIRE', vkey, ttl)
  out[#out + 1] = redis.call('GET', vkey) or ''
  out[#out + 1] = table.concat(added)
  out[#out + 1] = start
  out[#out + 1] = tail
end
return out
`;

/** KEYS: a lock. ARGV: the token it was taken with. Deletes it only if this instance still holds it. */
export const UNLOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
