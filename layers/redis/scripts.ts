/**
 * The Lua scripts behind the atomic steps: each runs as ONE command (EVALSHA, loaded on first use by
 * ioredis `defineCommand`), so a check and the write that depends on it cannot be split by another replica.
 */
import type { Redis } from "ioredis"

/**
 * Claims KEYS[1] with the value ARGV[1] for ARGV[2] milliseconds unless it has a value already.
 * Returns that existing value, or nil when the claim was taken.
 */
const claim = `
local state = redis.call('GET', KEYS[1])
if state then return state end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`

/** Deletes KEYS[1] only while its value is ARGV[1] (a claim or a lock still held by the caller). Returns 1 or 0. */
const deleteIfEqual = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

/**
 * Sets the expiry of KEYS[1] to ARGV[2] milliseconds from now only while its value is ARGV[1] (a claim still
 * held by the caller). Returns 1 or 0.
 */
const extendIfEqual = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`

/** Deletes the cached token entry KEYS[1] only while it holds the token ARGV[1]. Returns 1 or 0. */
const deleteTokenIfEqual = `
local entry = redis.call('GET', KEYS[1])
if entry and cjson.decode(entry).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

/**
 * Takes ARGV[1] tokens of the fixed-window budget KEYS[1] whose tokens refill every ARGV[2] milliseconds: the
 * count of tokens taken so far grows by ARGV[1] and the key's expiry by ARGV[1] × ARGV[2] (rounded up), so the
 * key lives as long as the windows its tokens reach into. Returns `{ count, ttlMillis }` after the taking.
 */
const fixedWindow = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
ttl = math.ceil(ttl + tonumber(ARGV[1]) * tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ttl)
return { count, ttl }`

/** An ioredis client with the scripts above as commands. */
export interface LarkRedis extends Redis {
  larkClaim(key: string, value: string, ttlMillis: number): Promise<string | null>
  larkDeleteIfEqual(key: string, value: string): Promise<number>
  larkExtendIfEqual(key: string, value: string, ttlMillis: number): Promise<number>
  larkDeleteTokenIfEqual(key: string, token: string): Promise<number>
  larkFixedWindow(key: string, tokens: number, refillMillis: number): Promise<[count: number, ttlMillis: number]>
}

/** Defines the scripts on `client` (idempotent). */
export const defineScripts = (client: Redis): LarkRedis => {
  client.defineCommand("larkClaim", { numberOfKeys: 1, lua: claim })
  client.defineCommand("larkDeleteIfEqual", { numberOfKeys: 1, lua: deleteIfEqual })
  client.defineCommand("larkExtendIfEqual", { numberOfKeys: 1, lua: extendIfEqual })
  client.defineCommand("larkDeleteTokenIfEqual", { numberOfKeys: 1, lua: deleteTokenIfEqual })
  client.defineCommand("larkFixedWindow", { numberOfKeys: 1, lua: fixedWindow })
  return client as LarkRedis
}
