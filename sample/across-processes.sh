#!/usr/bin/env bash
# Three producer processes log through WriteTo.Queue into one Redis stream; one collector process reads the stream
# through a consumer group and writes Console and File. A private redis-server on a free loopback port serves them
# and is stopped at the end. Usage: sample/across-processes.sh [events per producer, default 10000]
# It builds the two samples first, unless COLLECTOR_DLL and PRODUCER_DLL name ones already built (as the tests do).
set -euo pipefail
cd "$(dirname "$0")/.."

events="${1:-10000}"
producers=3
command -v redis-server >/dev/null || { echo "redis-server is needed (apt-get install redis-server)" >&2; exit 1; }

collector_dll="${COLLECTOR_DLL:-}"
producer_dll="${PRODUCER_DLL:-}"
if [ -z "$collector_dll" ] || [ -z "$producer_dll" ]; then
  echo "Building the collector and the producer ..."
  dotnet build sample/QueueCollector -c Release --nologo -v quiet >/dev/null
  dotnet build sample/QueueProducer -c Release --nologo -v quiet >/dev/null
  collector_dll=sample/QueueCollector/bin/Release/net10.0/QueueCollector.dll
  producer_dll=sample/QueueProducer/bin/Release/net10.0/QueueProducer.dll
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/across-processes.XXXXXX")"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis="127.0.0.1:$port"

redis-server --bind 127.0.0.1 --port "$port" --dir "$work" --save "" --appendonly no --logfile "$work/redis.log" &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
echo "redis-server on $redis, files in $work"

# The collector stops once events have come and then none for 3 seconds (or after 5 minutes at most).
dotnet "$collector_dll" --Collector:Redis "$redis" --Collector:StreamKey demo --Collector:Group collectors \
  --Collector:Consumer collector-1 --Serilog:WriteTo:1:Args:path "$work/collector.log" \
  --until-idle 3 --seconds 300 &
collector_pid=$!

pids=()
for p in $(seq "$producers"); do
  dotnet "$producer_dll" "$redis" demo "producer-$p" "$events" >"$work/producer-$p.out" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
wait "$collector_pid"

echo
cat "$work"/producer-*.out
written=$(wc -l <"$work/collector.log")
distinct=$(awk '{ print $NF }' "$work/collector.log" | sort -u | wc -l)
echo "collector: wrote $written lines ($distinct distinct stream entry id/index pairs) to $work/collector.log"
total=$((producers * events))
if [ "$written" -eq "$total" ]; then
  echo "every one of the $total events produced was written"
else
  echo "$written lines for $total events produced"
  exit 1
fi
