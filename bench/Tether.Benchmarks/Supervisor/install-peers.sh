#!/usr/bin/env bash
# Installs the supervisors the `supervisor-peers` benchmark compares with: supervisord from Debian's package and pm2
# from the npm registry (into bench/Tether.Benchmarks/Supervisor/.peers, not globally). Safe to run again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v supervisord >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q supervisor >/dev/null
fi
# The package enables a system-wide supervisord; the benchmark runs its own, so the system one must not run.
if pgrep -x supervisord >/dev/null && [[ -f /etc/supervisor/supervisord.conf ]]; then
  pkill -f '/usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf' || true
fi
if [[ ! -x "$here/.peers/node_modules/.bin/pm2" ]]; then
  mkdir -p "$here/.peers"
  (cd "$here/.peers" && npm install --silent --no-audit --no-fund pm2@7.0.4 >/dev/null)
fi
# Versions without starting anything (`pm2 --version` would spawn a daemon in ~/.pm2).
echo "supervisord $(supervisord --version)"
echo "pm2 $(node -p "require('$here/.peers/node_modules/pm2/package.json').version")"
