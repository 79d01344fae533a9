/**
 * Lua run atomically by Redis, so an entry, its TTL and its tag-set memberships change together and
 * an invalidation cannot miss an entry tagged while it runs. The scripts touch tag-set members not
 * passed in KEYS, so they need a single Redis (not Cluster).
 */

/**
 * KEYS[1] the entry hash; KEYS[2..] its tag sets. ARGV[1] value JSON, ARGV[2] tags JSON,
 * ARGV[3] TTL in ms or '' for none. A tag set lives as long as its longest-lived member (PTTL -2:
 * new set, -1: already holds a member that never expires).
 */
export const SET_ENTRY = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'tags', ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
for i = 2, #KEYS do
  local current = redis.call('PTTL', KEYS[i])
  redis.call('SADD', KEYS[i], KEYS[1])
  if not ttl then
    redis.call('PERSIST', KEYS[i])
  elseif current == -2 or (current >= 0 and current < ttl) then
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
end
return 1
`;

/** KEYS[1] the entry hash. Returns nil, or {value JSON, tags JSON, PTTL}. */
export const GET_ENTRY = `
local fields = redis.call('HMGET', KEYS[1], 'value', 'tags')
if not fields[1] then return false end
return { fields[1], fields[2] or '[]', redis.call('PTTL', KEYS[1]) }
`;

/** KEYS[1] the tag set. Deletes every member entry and the set; returns how many it named. */
export const INVALIDATE_TAG = `
local keys = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(keys) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return #keys
`;
