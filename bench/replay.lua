-- wrk script for bench/compare.py and bench/soak.py: replays the paths listed in $BENCH_URLS
-- (one per line) in order, each wrk thread starting at its own offset, so
-- every server gets the same requests in the same order. At the end, one
-- JSON line with the figures.
local paths = {}
local next_index = 1
local threads = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(os.getenv("BENCH_URLS")) do
    paths[#paths + 1] = line
  end
  -- Threads start spread over the list.
  next_index = (offset * math.floor(#paths / 2)) % #paths + 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
