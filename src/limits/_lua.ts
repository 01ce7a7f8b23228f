/**
 * Lua scripts of the Redis backends: each runs atomically in Redis, one
 * round trip per call. Numbers travel as strings (Redis truncates Lua
 * numbers in replies to integers). Private to `src/limits`.
 *
 * @module
 */

/**
 * Admission.
 *
 * KEYS: the spend counters (nb), then per scope its window hash and its
 * parallel sorted set.
 * ARGV: now, requestId, windowMs, staleMs, spendTtlMs, nb, ns, then per
 * budget `seed, max` (max < 0: none), then per scope `rpm, tpm, parallel`
 * (< 0: none).
 * Reply: status (`ok`, `budget`, `rpm`, `tpm`, `parallel`), the 1-based
 * index of the failing budget or scope (0 when ok), the nb spends, then per
 * scope `requests, tokens, parallel, windowStart`.
 */
export const ADMIT_LUA = `
local now = tonumber(ARGV[1])
local rid = ARGV[2]
local windowMs = tonumber(ARGV[3])
local staleMs = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local nb = tonumber(ARGV[6])
local ns = tonumber(ARGV[7])
local a = 8
local status = 'ok'
local index = 0
local out = {}
for i = 1, nb do
  local key = KEYS[i]
  local seed = ARGV[a]
  local max = tonumber(ARGV[a + 1])
  a = a + 2
  local v = redis.call('GET', key)
  if not v then
    v = seed
    redis.call('SET', key, seed, 'PX', ttl)
  else
    redis.call('PEXPIRE', key, ttl)
  end
  out[#out + 1] = v
  if status == 'ok' and max >= 0 and tonumber(v) >= max then
    status = 'budget'
    index = i
  end
end
local starts, reqs, toks, pars, limits = {}, {}, {}, {}, {}
for j = 1, ns do
  local rl = KEYS[nb + 2 * j - 1]
  local par = KEYS[nb + 2 * j]
  local rpm = tonumber(ARGV[a])
  local tpm = tonumber(ARGV[a + 1])
  local pl = tonumber(ARGV[a + 2])
  a = a + 3
  limits[j] = { rpm, tpm, pl }
  local s, r, t = now, 0, 0
  if rpm >= 0 or tpm >= 0 then
    local h = redis.call('HMGET', rl, 's', 'r', 't')
    local hs = tonumber(h[1])
    if hs and now - hs < windowMs then
      s = hs
      r = tonumber(h[2]) or 0
      t = tonumber(h[3]) or 0
    end
  end
  local p = 0
  if pl >= 0 then
    redis.call('ZREMRANGEBYSCORE', par, '-inf', now - staleMs)
    p = redis.call('ZCARD', par)
  end
  starts[j], reqs[j], toks[j], pars[j] = s, r, t, p
  if status == 'ok' then
    if rpm >= 0 and r >= rpm then
      status = 'rpm'
      index = j
    elseif tpm >= 0 and t >= tpm then
      status = 'tpm'
      index = j
    elseif pl >= 0 and p >= pl then
      status = 'parallel'
      index = j
    end
  end
end
if status == 'ok' then
  for j = 1, ns do
    local rl = KEYS[nb + 2 * j - 1]
    local par = KEYS[nb + 2 * j]
    local lim = limits[j]
    if lim[1] >= 0 or lim[2] >= 0 then
      reqs[j] = reqs[j] + 1
      redis.call('HSET', rl, 's', starts[j], 'r', reqs[j], 't', toks[j])
      redis.call('PEXPIRE', rl, 2 * windowMs)
    end
    if lim[3] >= 0 then
      redis.call('ZADD', par, now, rid)
      redis.call('PEXPIRE', par, staleMs)
      pars[j] = pars[j] + 1
    end
  end
end
local reply = { status, tostring(index) }
for i = 1, #out do reply[#reply + 1] = out[i] end
for j = 1, ns do
  reply[#reply + 1] = tostring(reqs[j])
  reply[#reply + 1] = tostring(toks[j])
  reply[#reply + 1] = tostring(pars[j])
  reply[#reply + 1] = tostring(starts[j])
end
return reply
`;

/**
 * Settlement.
 *
 * KEYS: the spend counters (nb), then per scope its window hash and its
 * parallel sorted set.
 * ARGV: now, requestId, windowMs, spendTtlMs, tokens, nb, ns, then per
 * budget `seed, amount`, then per scope `release, addTokens` (`1`/`0`).
 * Reply: the nb spends after the addition.
 */
export const SETTLE_LUA = `
local now = tonumber(ARGV[1])
local rid = ARGV[2]
local windowMs = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local tokens = tonumber(ARGV[5])
local nb = tonumber(ARGV[6])
local ns = tonumber(ARGV[7])
local a = 8
local out = {}
for i = 1, nb do
  local key = KEYS[i]
  local seed = ARGV[a]
  local amount = ARGV[a + 1]
  a = a + 2
  if redis.call('EXISTS', key) == 0 then redis.call('SET', key, seed) end
  out[i] = redis.call('INCRBYFLOAT', key, amount)
  redis.call('PEXPIRE', key, ttl)
end
for j = 1, ns do
  local rl = KEYS[nb + 2 * j - 1]
  local par = KEYS[nb + 2 * j]
  local release = ARGV[a]
  local addTokens = ARGV[a + 1]
  a = a + 2
  if release == '1' then redis.call('ZREM', par, rid) end
  if addTokens == '1' and tokens > 0 then
    local s = tonumber(redis.call('HGET', rl, 's'))
    if s and now - s < windowMs then
      redis.call('HINCRBY', rl, 't', tokens)
    else
      redis.call('HSET', rl, 's', now, 'r', 0, 't', tokens)
    end
    redis.call('PEXPIRE', rl, 2 * windowMs)
  end
end
return out
`;

/**
 * A deployment failure in the current window (cooldown store).
 *
 * KEYS: the failure hash. ARGV: window index, window length in ms.
 * Reply: failures counted in the window, this one included.
 */
export const COUNT_FAILURE_LUA = `
local w = redis.call('HGET', KEYS[1], 'w')
local n
if w == ARGV[1] then
  n = redis.call('HINCRBY', KEYS[1], 'c', 1)
else
  redis.call('HSET', KEYS[1], 'w', ARGV[1], 'c', 1)
  n = 1
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return n
`;
