#!/usr/bin/env bash
# Validates docker-compose.yml with whichever Compose client this machine has. Without one it
# says so and exits 0: nothing here can check the file then, and CI should not fail for it.
set -uo pipefail
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1; then
  client=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  client=(docker-compose)
else
  echo "validate-compose: no Compose client (docker compose plugin or docker-compose); docker-compose.yml NOT validated"
  exit 0
fi

echo "validate-compose: ${client[*]} config ($("${client[@]}" version --short 2>/dev/null || echo unknown version))"
# --quiet prints nothing on success; errors name the offending key.
"${client[@]}" -f docker-compose.yml config --quiet
status=$?
if [ "$status" -eq 0 ]; then echo "validate-compose: docker-compose.yml is valid"; fi
exit "$status"
