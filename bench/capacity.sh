#!/usr/bin/env bash
# What --capacity=enforce, the metrics and a scrape of /metrics every second cost, with bench/ab.sh
# (one core for the server, one for wrk; medians and ratios B/A):
#   1. --capacity=report (A) against --capacity=enforce (B), on the bench's on-demand table
#   2. --no-metrics (A) against the metrics recorded (B, the default)
#   3. the default (A) against the default with GET /metrics scraped every second (B)
# Usage: bench/capacity.sh [BASALT_BIN]   (default build/src/basalt; about 3 minutes per comparison)
# Environment: as bench/ab.sh (AB_WORKLOADS defaults to "get put" here); CAPACITY_PARTS="1 2 3".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$(readlink -f "${1:-$here/../build/src/basalt}")
export AB_WORKLOADS="${AB_WORKLOADS:-get put}"
# The bench table is on demand: a new one serves 12,000 RRU / 4,000 WRU a second, then twice its peak.
# A 5 s warm-up at full speed sets the peak, so the measured run is not throttled (ab.sh fails on errors).
export AB_WARMUP="${AB_WARMUP:-5s}"
: "${CAPACITY_PARTS:=1 2 3}"
dir=$(mktemp -d /tmp/basalt-capacity.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# wrapper NAME FLAGS...: a "binary" that runs Basalt with these flags added.
wrapper() {
  local name=$1
  shift
  printf '#!/usr/bin/env bash\nexec %q "$@" %s\n' "$bin" "$*" >"$dir/$name"
  chmod +x "$dir/$name"
}
wrapper report --capacity=report
wrapper enforce --capacity=enforce
wrapper no_metrics --no-metrics
wrapper metrics --metrics-public  # the default, as a wrapper too: every side of a comparison is started alike
# The scraped server: a loop beside it fetches /metrics every second while it answers.
cat >"$dir/scraped" <<SCRAPED
#!/usr/bin/env bash
port=8000
args=("\$@")
for ((i = 0; i < \${#args[@]}; i++)); do [[ \${args[i]} == --port ]] && port=\${args[i+1]}; done
(
  until curl -sf -o /dev/null "http://127.0.0.1:\$port/metrics"; do sleep 0.2; done
  while curl -sf -o /dev/null "http://127.0.0.1:\$port/metrics"; do sleep 1; done
) >/dev/null 2>&1 &
exec "$bin" "\$@" --metrics-public
SCRAPED
chmod +x "$dir/scraped"

for part in $CAPACITY_PARTS; do
  case $part in
    1) echo "== report (A) vs enforce (B)"; "$here/ab.sh" "$dir/report" "$dir/enforce" ;;
    2) echo "== no metrics (A) vs metrics (B)"; "$here/ab.sh" "$dir/no_metrics" "$dir/metrics" ;;
    3) echo "== metrics (A) vs metrics scraped every second (B)"; "$here/ab.sh" "$dir/metrics" "$dir/scraped" ;;
  esac
done
