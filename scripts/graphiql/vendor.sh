#!/usr/bin/env bash
# Copies GraphiQL, React, graphql-ws and their licences from the pinned npm packages (package-lock.json) into
# api/graphiql/vendor/, which is committed: `cargo build` embeds those files and needs no network.
# Run after changing a version here; the browser test (e2e graphiql_browser) checks the result.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --silent --no-audit --no-fund
out=../../api/graphiql/vendor
rm -rf "$out"
mkdir -p "$out"
cp node_modules/react/umd/react.production.min.js "$out/"
cp node_modules/react-dom/umd/react-dom.production.min.js "$out/"
cp node_modules/graphiql/graphiql.min.js node_modules/graphiql/graphiql.min.css "$out/"
# GraphiQL's UMD build leaves the WebSocket client out (an optional peer); start.js passes one.
cp node_modules/graphql-ws/umd/graphql-ws.min.js "$out/"
for package in react react-dom graphiql graphql-ws; do
  cp "$(ls node_modules/$package/LICENSE*)" "$out/LICENSE-$package"
done
echo "vendored into $out:"
ls -l "$out"
