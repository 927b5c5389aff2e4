#!/bin/bash
# Starts basalt in the background and waits until it answers its health check. Inputs come as INPUT_* variables;
# writes `endpoint` to $GITHUB_OUTPUT and AWS_ENDPOINT_URL_DYNAMODB (and BASALT_PID) to $GITHUB_ENV.
set -euo pipefail
bin="${INPUT_BASALT_BIN:-${BASALT_BIN:-basalt}}"
port="${INPUT_PORT:-8000}"
log="${RUNNER_TEMP:-/tmp}/basalt.log"
read -r -a flags <<< "${INPUT_FLAGS:---in-memory}"
nohup "$bin" --host 127.0.0.1 --port "$port" "${flags[@]}" > "$log" 2>&1 < /dev/null &
pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
  if curl -fsS -o /dev/null "$url/" 2>/dev/null; then
    echo "endpoint=$url" >> "$GITHUB_OUTPUT"
    { echo "AWS_ENDPOINT_URL_DYNAMODB=$url"; echo "BASALT_PID=$pid"; } >> "$GITHUB_ENV"
    echo "basalt $("$bin" --version | cut -d' ' -f2-) is listening on $url (pid $pid, log $log)"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
echo "basalt did not start; its log:" >&2
cat "$log" >&2
exit 1
