#!/bin/sh
# A one-shot "migration": builds the site the web server serves, then exits 0 so that the web server may start.
set -eu
mkdir -p public
echo "migrating: writing public/index.html"
cat > public/index.html <<'HTML'
<!doctype html>
<title>tether up</title>
<h1>Served by a service that tether up started after its migration.</h1>
HTML
echo "migration done"
