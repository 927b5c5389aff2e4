#!/bin/bash
# The container's entrypoint: takes amazon/dynamodb-local's command lines and runs Basalt with them.
#
#   [JVM options (-D..., -X..., -XX:...)] [-jar DynamoDBLocal.jar] [DynamoDB Local flags]
#
# DynamoDB Local's flags (-port, -inMemory, -dbPath, -sharedDb, -cors, -delayTransientStatuses, -help) are
# Basalt's too; -optimizeDbBeforeStartup and -disableTelemetry have nothing to do and are dropped; Basalt's
# own flags (--trigger, ...) pass through. Basalt listens on all interfaces (the container's), on port 8000
# unless -port says otherwise. `dynamodb-local-entrypoint --health` is the image's health check.
set -euo pipefail
basalt="${BASALT_BIN:-basalt}"
port_file="${TMPDIR:-/tmp}/basalt.port"

if [[ "${1:-}" == "--health" ]]; then
  port=$(cat "$port_file" 2>/dev/null || echo 8000)
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  grep -q '^healthy' <&3
  exit
fi

args=()
host_given=0
port=8000
while (($#)); do
  case "$1" in
    -D* | -X* | -XX:* | -server | -client) shift ;;                         # JVM options
    -jar | -cp | -classpath) shift; (($#)) && shift ;;                        # the jar (or class path) they name
    -optimizeDbBeforeStartup | -disableTelemetry) shift ;;                    # nothing to do in Basalt
    -port | --port) port="$2"; args+=("$1" "$2"); shift 2 ;;
    --port=*) port="${1#--port=}"; args+=("$1"); shift ;;
    --host | --host=*) host_given=1; args+=("$1"); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
((host_given)) || args=(--host 0.0.0.0 "${args[@]}")
echo "$port" > "$port_file" 2>/dev/null || true
exec "$basalt" "${args[@]}"
