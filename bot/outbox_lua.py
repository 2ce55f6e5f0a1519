"""The outbox's Lua scripts (``bot.outbox``), each one Redis transaction."""

# One Lua script commits a turn: fence on the resident's lock, skip a done event, enqueue
# the answer (once), apply the turn's writes, advance done, acknowledge the stream entry,
# and (when asked) release the lock it fenced on, saving the worker a round trip.
COMMIT_LUA = """
local a = cjson.decode(ARGV[1])
if a.lock_key ~= '' and redis.call('GET', a.lock_key) ~= a.lock_token then
  return -1
end
if a.done_key ~= '' then
  local done = tonumber(redis.call('GET', a.done_key) or '0')
  if done >= tonumber(a.seq) then
    redis.call('XACK', a.stream, a.group, a.entry)
    redis.call('XDEL', a.stream, a.entry)
    if a.release and a.lock_key ~= '' then redis.call('DEL', a.lock_key) end
    return 0
  end
end
local result = 1
if a.msg_id ~= '' then
  if not redis.call('SET', a.prefix .. 'known:' .. a.msg_id, '1', 'NX', 'EX', a.known_ttl) then
    result = 2
  else
    redis.call('HSET', a.prefix .. 'msg:' .. a.msg_id, unpack(a.msg_fields))
    redis.call('RPUSH', a.prefix .. 'q:' .. a.resident, a.msg_id)
    redis.call('ZADD', a.prefix .. 'due', 'LT', a.now_ms, a.resident)
  end
end
for _, w in ipairs(a.writes) do
  redis.call(unpack(w))
end
if a.done_key ~= '' then
  redis.call('SET', a.done_key, a.seq, 'EX', a.seq_ttl)
  redis.call('XACK', a.stream, a.group, a.entry)
  redis.call('XDEL', a.stream, a.entry)
end
if a.release and a.lock_key ~= '' then
  redis.call('DEL', a.lock_key)
end
return result
"""

# Take the head message off a resident's queue (delivered or dead-lettered), with the
# writes that record how it ended (a dead letter, a receipt for staff).
FINISH_LUA = """
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LPOP', KEYS[1])
end
redis.call('DEL', KEYS[2])
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[2])
end
for _, w in ipairs(cjson.decode(ARGV[3])) do
  redis.call(unpack(w))
end
return redis.call('LLEN', KEYS[1])
"""

# A resident's head message (its id and fields) and how often LINE came back, in one round
# trip: delivery reads both before every call (bot.delivery).
HEAD_LUA = """
local first = redis.call('LINDEX', KEYS[1], 0)
local back = redis.call('GET', KEYS[2]) or '0'
if not first then
  return {back}
end
return {back, first, redis.call('HGETALL', ARGV[1] .. first)}
"""


# LINE is back: every resident waiting out a backoff is tried again now.
WAKE_LUA = """
local woken = 0
for _, resident in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
  local head = redis.call('LINDEX', ARGV[2] .. 'q:' .. resident, 0)
  if head then
    redis.call('HSET', ARGV[2] .. 'msg:' .. head, 'next_ms', '0')
  end
  redis.call('ZADD', KEYS[1], ARGV[1], resident)
  woken = woken + 1
end
return woken
"""
# The deliverer's lease, released once the resident's queue is empty (with finishing: a
# round trip fewer per answer); the token is checked, as bot.leases releases.
RELEASE_IF_EMPTY_LUA = """
if redis.call('LLEN', KEYS[1]) == 0 and redis.call('GET', KEYS[2]) == ARGV[1] then
  return redis.call('DEL', KEYS[2])
end
return 0
"""

# A turn's commit (COMMIT_LUA, its ARGV[1]), then a deliverer's lease taken (KEYS[1], token
# ARGV[2], ARGV[3] ms) and, if it was, the resident's head read as HEAD_LUA reads it (queue
# KEYS[2], LINE_BACK KEYS[3], message prefix ARGV[4]): one script, not a transaction of
# five commands (bot.outbox.Outbox.commit). Returns {result, 0} or {result, 1, head...}.
COMMIT_AND_TAKE_LUA = """
local function commit()
""" + COMMIT_LUA + """
end
local result = commit()
if not redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return {result, 0}
end
local back = redis.call('GET', KEYS[3]) or '0'
local first = redis.call('LINDEX', KEYS[2], 0)
if not first then
  return {result, 1, back}
end
return {result, 1, back, first, redis.call('HGETALL', ARGV[4] .. first)}
"""

# A deliverer's lease (KEYS[1], token ARGV[1], ARGV[2] ms) taken and, if it was, the head
# read (as HEAD_LUA: queue KEYS[2], LINE_BACK KEYS[3], prefix ARGV[3]). {0} or {1, head...}.
ACQUIRE_AND_HEAD_LUA = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0}
end
local back = redis.call('GET', KEYS[3]) or '0'
local first = redis.call('LINDEX', KEYS[2], 0)
if not first then
  return {1, back}
end
return {1, back, first, redis.call('HGETALL', ARGV[3] .. first)}
"""

# A delivered message's last steps (bot.outbox.Outbox.finish_delivered), in the order they
# were once sent one by one: the note that LINE was failing cleared (KEYS[4]), FINISH_LUA
# (KEYS[1..3], ARGV[1..3]), and the deliverer's lease (KEYS[5], token ARGV[4]; '' for none)
# released if the queue is empty. Returns {left, was_failing, released}.
FINISH_DELIVERED_LUA = """
local was_failing = redis.call('DEL', KEYS[4])
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LPOP', KEYS[1])
end
redis.call('DEL', KEYS[2])
local left = redis.call('LLEN', KEYS[1])
if left == 0 then
  redis.call('ZREM', KEYS[3], ARGV[2])
end
for _, w in ipairs(cjson.decode(ARGV[3])) do
  redis.call(unpack(w))
end
left = redis.call('LLEN', KEYS[1])
local released = 0
if ARGV[4] ~= '' and left == 0 and redis.call('GET', KEYS[5]) == ARGV[4] then
  released = redis.call('DEL', KEYS[5])
end
return {left, was_failing, released}
"""
