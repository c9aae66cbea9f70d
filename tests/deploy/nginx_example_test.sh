#!/usr/bin/env bash
# The nginx example of docs/deploying.md is a configuration nginx accepts (`nginx -t`), and
# the page shows that file, word for word. Skipped (exit 77) only when nginx is absent.
#
#   tests/deploy/nginx_example_test.sh docs/examples/nginx.conf docs/deploying.md
#
# nginx -t opens the certificate and the log files the example names, so a copy of it is
# checked in which only their folders are changed: the certificate folder to a throwaway
# self-signed certificate, the log folder to a temporary one.
set -euo pipefail
example=$1
page=$2

if ! command -v nginx >/dev/null; then
  echo "nginx is not installed: skipped"
  exit 77
fi
for tool in openssl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (scripts/install-deps)"; exit 1; }
done

python3 - "$example" "$page" <<'PY'
import sys
example, page = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
if example not in page:
    sys.exit(f"{sys.argv[2]} does not show {sys.argv[1]} word for word; copy the file into it")
PY

work=$(mktemp -d /tmp/paddock-nginx-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
certs=/etc/letsencrypt/live/arena.example.org/
logs=/var/log/nginx/
grep -q "$certs" "$example" && grep -q "$logs" "$example" ||
  { echo "$example no longer names $certs and $logs: update this test"; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=arena.example.org \
  -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null
sed -e "s|$certs|$work/|g" -e "s|$logs|$work/|g" "$example" >"$work/nginx.conf"
nginx -t -p "$work" -e "$work/startup.log" -g "pid $work/nginx.pid;" -c "$work/nginx.conf"
