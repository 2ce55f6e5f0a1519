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
# writes that record how it ended (a dead letter, a receipt for staff). A Lua function, so
# FINISH_DELIVERED_LUA runs the same steps.
_FINISH_FUNCTION = """
local function finish(queue, msg_key, due, id, tag, writes)
  if redis.call('LINDEX', queue, 0) == id then
    redis.call('LPOP', queue)
  end
  redis.call('DEL', msg_key)
  if redis.call('LLEN', queue) == 0 then
    redis.call('ZREM', due, tag)
  end
  for _, w in ipairs(cjson.decode(writes)) do
    redis.call(unpack(w))
  end
  return redis.call('LLEN', queue)
end
"""
FINISH_LUA = _FINISH_FUNCTION + "return finish(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])"

# A resident's head message (its id and fields) and how often LINE came back, in one round
# trip: delivery reads both before every call (bot.delivery). A Lua function, so the scripts
# that take a lease read the head the same way.
_HEAD_FUNCTION = """
local function head(queue, back_key, prefix)
  local first = redis.call('LINDEX', queue, 0)
  local back = redis.call('GET', back_key) or '0'
  if not first then
    return {back}
  end
  return {back, first, redis.call('HGETALL', prefix .. first)}
end
"""
HEAD_LUA = _HEAD_FUNCTION + "return head(KEYS[1], KEYS[2], ARGV[1])"


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

# A turn's commit (COMMIT_LUA, its ARGV[1]), then a deliverer's lease taken (KEYS[1], token
# ARGV[2], ARGV[3] ms) and, if it was, the resident's head read as HEAD_LUA reads it (queue
# KEYS[2], LINE_BACK KEYS[3], message prefix ARGV[4]): one script, not a transaction of
# five commands (bot.outbox.Outbox.commit). Returns {result, 0} or {result, 1, head...}.
COMMIT_AND_TAKE_LUA = _HEAD_FUNCTION + """
local function commit()
""" + COMMIT_LUA + """
end
local result = commit()
if not redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return {result, 0}
end
return {result, 1, unpack(head(KEYS[2], KEYS[3], ARGV[4]))}
"""

# A deliverer's lease (KEYS[1], token ARGV[1], ARGV[2] ms) taken and, if it was, the head
# read (as HEAD_LUA: queue KEYS[2], LINE_BACK KEYS[3], prefix ARGV[3]). {0} or {1, head...}.
ACQUIRE_AND_HEAD_LUA = _HEAD_FUNCTION + """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0}
end
return {1, unpack(head(KEYS[2], KEYS[3], ARGV[3]))}
"""

# A delivered message's last steps (bot.outbox.Outbox.finish_delivered), in the order they
# were once sent one by one: the note that LINE was failing cleared (KEYS[4]), FINISH_LUA
# (KEYS[1..3], ARGV[1..3]), and the deliverer's lease (KEYS[5], token ARGV[4]; '' for none)
# released if the queue is empty. Returns {left, was_failing, released}.
FINISH_DELIVERED_LUA = _FINISH_FUNCTION + """
local was_failing = redis.call('DEL', KEYS[4])
local left = finish(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])
local released = 0
if ARGV[4] ~= '' and left == 0 and redis.call('GET', KEYS[5]) == ARGV[4] then
  released = redis.call('DEL', KEYS[5])
end
return {left, was_failing, released}
"""
