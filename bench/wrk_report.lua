-- wrk script for bench/run.py: counts non-2xx answers and prints the figures as one JSON line.
--
-- wrk itself counts only status >= 400 as errors; a 302 to the login page would look like a fast
-- success, so every thread counts anything outside 200-299 here and done() adds the counts up.
-- Latencies are in microseconds, as wrk measures them.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  first_bad_status = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad_status == 0 then
      first_bad_status = status
    end
  end
end

function done(summary, latency, requests)
  local non2xx_total, bad_status = 0, 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
    if bad_status == 0 then
      bad_status = thread:get("first_bad_status")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "requests_per_s": %.2f, '
      .. '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "mean": %.1f, "max": %d}, '
      .. '"errors": {"non2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}, "first_non2xx_status": %d}\n',
    summary.requests, summary.duration, summary.bytes, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max,
    non2xx_total, errors.connect, errors.read, errors.write, errors.timeout, bad_status
  ))
end
