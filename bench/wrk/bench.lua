-- wrk script for every bench run. wrk -s takes no options, so it reads the environment:
--   BENCH_FRESH_DTAB  when set, every request carries a new l5d-dtab: this text with "{n}" replaced
--                     by a request counter (the constant headers, Host included, come from wrk -H)
-- At the end it prints one machine-readable RESULT line (latencies in microseconds).
local fresh = os.getenv("BENCH_FRESH_DTAB")

if fresh and fresh ~= "" then
  local n = 0
  request = function()
    n = n + 1
    wrk.headers["l5d-dtab"] = (fresh:gsub("{n}", tostring(n)))
    return wrk.format()
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
