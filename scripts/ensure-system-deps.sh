#!/usr/bin/env bash
# Java 17 (or 21) runs Neo4j 5.26; Maven fetches it from Maven Central once. Install them with
# apt when they are missing and we may (root on Debian/Ubuntu); otherwise say what is needed.
set -euo pipefail

# An existing server (NEO4J_URI) needs neither.
[ -n "${NEO4J_URI:-}" ] && exit 0

have_java() {
  local exe
  for exe in "${GRAPHTWIN_JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)" \
             /usr/lib/jvm/*/bin/java; do
    [ -n "$exe" ] && [ -x "$exe" ] || continue
    if "$exe" -version 2>&1 | grep -Eq 'version "(17|21)[."]'; then return 0; fi
  done
  return 1
}

missing=()
have_java || missing+=(openjdk-17-jre-headless)
command -v "${GRAPHTWIN_MVN:-mvn}" >/dev/null || missing+=(maven)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (needed to run Neo4j 5.26)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "graphtwin needs ${missing[*]} to run Neo4j 5.26; please install them" >&2
  echo "(or set NEO4J_URI to use an existing Neo4j 5.26 server)" >&2
  exit 1
fi
