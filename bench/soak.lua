-- wrk script for bench/soak.py: each request is drawn at random from the
-- URL list in $SOAK_URLS (one path per line: WMS GetMap and GetFeatureInfo,
-- WMTS tiles, OGC API items). At the end, one JSON line with the figures.
local paths = {}

function init(args)
  for line in io.lines(os.getenv("SOAK_URLS")) do
    paths[#paths + 1] = line
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'SOAK {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
