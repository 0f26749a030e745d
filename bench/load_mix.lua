-- wrk script for bench/load.py: replay a weighted request mix and record every request.
--
-- Run with one connection per wrk thread (-t N -c N): a thread's requests are then strictly
-- sequential, so each response can be matched to the request that caused it (wrk has no
-- per-request hook that names the connection).
--
-- Environment:
--   KB_LOAD_MIX   file of requests, one a line: index<TAB>expect_nonempty<TAB>htmx<TAB>path
--   KB_LOAD_OUT   file to write, one line per answered request:
--                 index<TAB>status<TAB>start_us<TAB>latency_us<TAB>empty
--                 (start_us on CLOCK_MONOTONIC, the clock of Python's time.monotonic), then
--                 one "#summary" line with wrk's own counters.
--   KB_LOAD_SEED  random seed (default 1)

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } kb_timespec;
int clock_gettime(int clk_id, kb_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("kb_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

local entries = {}
local pending = nil
local started = 0
rows = {}

function init(args)
  local seed = tonumber(os.getenv("KB_LOAD_SEED") or "1")
  math.randomseed(seed * 1000003 + thread_id * 7919)
  for line in io.lines(os.getenv("KB_LOAD_MIX")) do
    local index, expect, htmx, path = line:match("^(%d+)\t(%d)\t(%d)\t(.+)$")
    if index then
      local headers = {}
      if htmx == "1" then
        headers["HX-Request"] = "true"
      end
      table.insert(entries, {
        index = tonumber(index),
        expect = expect == "1",
        request = wrk.format("GET", path, headers),
      })
    end
  end
end

function request()
  pending = entries[math.random(#entries)]
  started = now_us()
  return pending.request
end

function response(status, headers, body)
  if pending == nil then
    return
  end
  local latency = now_us() - started
  local empty = 0
  if pending.expect and status == 200 and body:find('"total":%s*0%s*[,}]') then
    empty = 1
  end
  rows[#rows + 1] = string.format("%d\t%d\t%d\t%d\t%d", pending.index, status, started, latency, empty)
  pending = nil
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("KB_LOAD_OUT"), "w"))
  for _, thread in ipairs(threads) do
    local thread_rows = thread:get("rows")
    if #thread_rows > 0 then
      out:write(table.concat(thread_rows, "\n"), "\n")
    end
  end
  local errors = summary.errors
  out:write(string.format(
    "#summary\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n",
    summary.duration, summary.requests, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout
  ))
  out:close()
end
