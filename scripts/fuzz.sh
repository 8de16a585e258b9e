#!/usr/bin/env bash
# Schema-driven fuzzing (docs/RELIABILITY.md): Schemathesis against /docs-json of a running API,
# once per driver (FUZZ_DRIVERS, default "memory mongo"), authenticated with a real bearer token,
# then again with an API key of every scope (DESIGN §11).
# Exits non-zero when any check fails on either driver.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SCHEMATHESIS_VERSION=4.32.5
VENV=$ROOT/.cache/fuzz-venv
DRIVERS=${FUZZ_DRIVERS:-memory mongo}
# Examples per operation in the fuzzing phase; with the coverage phase, 27 operations give about
# 1400 requests per run (the run fails under FUZZ_MIN_REQUESTS).
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-20}
MIN_REQUESTS=${FUZZ_MIN_REQUESTS:-1000}
SEED=${FUZZ_SEED:-}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/taskflow-fuzz.XXXXXX")
REPORTS=$ROOT/.cache/fuzz-reports
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
ADMIN_ID=u_fuzzer
ADMIN_PASSWORD=fuzzer-password-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
JWT_SECRET=fuzz-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for() { # url seconds
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    if ((SECONDS > deadline)); then
      echo "fuzz: $1 did not answer within $2 s" >&2
      return 1
    fi
    sleep 0.3
  done
}

echo "== fuzz: Schemathesis $SCHEMATHESIS_VERSION in $VENV"
if [[ ! -x $VENV/bin/schemathesis ]] || [[ $("$VENV/bin/schemathesis" --version 2>/dev/null) != *"$SCHEMATHESIS_VERSION"* ]]; then
  python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

MAIN=dist/bundle/main.js
MIGRATE=dist/apps/migrate/apps/migrate/src/main.js
if [[ ! -f $MAIN || ! -f $MIGRATE ]] ||
  [[ -n $(find apps libs migrations -name '*.ts' -newer "$MAIN" -print -quit) ]]; then
  echo "== fuzz: building the app"
  npm run build --silent
fi

# Open tasks for every priority and audience, so that the fuzzer's claims find one at once:
# POST /tasks/claim long-polls up to `wait` (≤ 30 s) when nothing is claimable.
seed_claimable() { # port token
  python3 - "$1" "$2" <<'PY'
import http.client, json, sys
port, token = sys.argv[1], sys.argv[2]
conn = http.client.HTTPConnection("127.0.0.1", int(port))
for audience in ("agent", "human", "any"):
    for priority in ("low", "normal", "high", "urgent"):
        for _ in range(25):
            conn.request("POST", "/tasks", json.dumps({"title": "claimable", "priority": priority, "open": True, "open_to": audience}),
                         {"authorization": f"Bearer {token}", "content-type": "application/json"})
            res = conn.getresponse(); res.read()
            if res.status != 201: sys.exit(f"seeding open tasks: {res.status}")
PY
}

fuzz() { # driver label port token [schemathesis options]
  local driver=$1 label=$2 port=$3 token=$4
  shift 4
  echo "== fuzz[$driver]: schemathesis run, $label operations (max $MAX_EXAMPLES examples each)"
  "$VENV/bin/schemathesis" run "http://127.0.0.1:$port/docs-json" "$@" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --request-timeout 31 \
    --report ndjson --report-ndjson-path "$REPORTS/events-$driver-$label.ndjson" \
    --no-color --warnings off ${SEED:+--seed "$SEED"} 2>&1 | tee "$REPORTS/schemathesis-$driver-$label.txt"
}

run_driver() {
  local driver=$1 port mongo_uri="" env=()
  port=$(free_port)
  if [[ $driver == mongo ]]; then
    if [[ -n ${MONGODB_URI:-} ]]; then
      mongo_uri=${MONGODB_URI%/*}/taskflow_fuzz_$RANDOM
    else
      local bin=$ROOT/.cache/ferretdb/bin/ferretdb mport data=$WORK/ferretdb
      [[ -x $bin ]] || bash scripts/ferretdb-build.sh
      mport=$(free_port)
      mkdir -p "$data"
      "$bin" --handler=sqlite "--sqlite-url=file:$data/" "--state-dir=$data" \
        "--listen-addr=127.0.0.1:$mport" --debug-addr=127.0.0.1:0 --telemetry=disable \
        --log-level=warn >"$WORK/ferretdb.log" 2>&1 &
      PIDS+=($!)
      local deadline=$((SECONDS + 30))
      until (exec 3<>"/dev/tcp/127.0.0.1/$mport") 2>/dev/null; do
        ((SECONDS < deadline)) || { cat "$WORK/ferretdb.log" >&2; return 1; }
        sleep 0.2
      done
      mongo_uri=mongodb://127.0.0.1:$mport/taskflow_fuzz
    fi
    echo "== fuzz[$driver]: migrations"
    MONGODB_URI=$mongo_uri TASK_REPOSITORY_DRIVER=mongo node "$MIGRATE" up
    env+=(MONGODB_URI="$mongo_uri")
  fi

  echo "== fuzz[$driver]: API on 127.0.0.1:$port"
  env "${env[@]}" PORT="$port" TASK_REPOSITORY_DRIVER="$driver" NODE_ENV=test DEV_MODE=false \
    JWT_SECRET="$JWT_SECRET" BCRYPT_COST=4 LOG_LEVEL=error \
    RATE_LIMIT_GLOBAL=1000000/60s RATE_LIMIT_AUTH=1000000/60s EVENT_STREAM_MAX_SECONDS=2 \
    BOOTSTRAP_ADMIN_ID="$ADMIN_ID" BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    node "$MAIN" >"$WORK/api-$driver.log" 2>&1 &
  local api=$!
  PIDS+=($api)
  wait_for "http://127.0.0.1:$port/readyz" 60 || { cat "$WORK/api-$driver.log" >&2; return 1; }

  # A real token: an ordinary account registers itself, the bootstrap admin logs in. The admin's
  # token reaches every operation (admin-only ones included).
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$port/users" -H 'content-type: application/json' \
    -d '{"id":"u_fuzz_human","name":"Fuzz","role":"human","password":"fuzz-human-password"}'
  local token
  token=$(curl -fsS -X POST "http://127.0.0.1:$port/auth/login" -H 'content-type: application/json' \
    -d "{\"id\":\"$ADMIN_ID\",\"password\":\"$ADMIN_PASSWORD\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

  # Three runs, because disabling an account or revoking its sessions ends the fuzzer's own token
  # (Schemathesis finds the admin's id through GET /me): everything else first with the JWT, then
  # with an API key of every scope (made after the JWT run, which may revoke keys: a key cannot),
  # those two last.
  local status=0 self_harm='^/users/\{id\}/(disable|revoke-sessions)$' key
  seed_claimable "$port" "$token"
  fuzz "$driver" main "$port" "$token" --exclude-path-regex "$self_harm" || status=1
  key=$(curl -fsS -X POST "http://127.0.0.1:$port/api-keys" -H 'content-type: application/json' \
    -H "authorization: Bearer $token" \
    -d '{"name":"fuzz","scopes":["tasks:read","tasks:write","tasks:act","events:read","webhooks:manage"],"expires_in_days":1}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  seed_claimable "$port" "$token"
  fuzz "$driver" key "$port" "$key" --exclude-path-regex "$self_harm" || status=1
  fuzz "$driver" account-ending "$port" "$token" --include-path-regex "$self_harm" || status=1

  kill "$api" 2>/dev/null || true
  # At LOG_LEVEL=error the API writes only unexpected errors (level 50 and up): a 5xx the
  # Schemathesis checks might have missed.
  if grep -qE '"level":(50|60)' "$WORK/api-$driver.log"; then
    echo "fuzz[$driver]: the API logged server errors:" >&2
    grep -E '"level":(50|60)' "$WORK/api-$driver.log" | head -5 >&2
    status=1
  fi
  local summary requests
  summary=$(python3 - "$REPORTS"/events-"$driver"-*.ndjson <<'PY'
import json, sys
from collections import Counter
statuses, unauthorized_main = Counter(), 0
for path in sys.argv[1:]:
    for line in open(path):
        event = json.loads(line)
        recorder = (event.get("ScenarioFinished") or {}).get("recorder") or {}
        for interaction in (recorder.get("interactions") or {}).values():
            code = (interaction.get("response") or {}).get("status_code")
            statuses[code] += 1
            if code == 401 and path.endswith(("-main.ndjson", "-key.ndjson")):
                unauthorized_main += 1
total = sum(statuses.values())
print(total, unauthorized_main, " ".join(f"{k}:{v}" for k, v in sorted(statuses.items(), key=str)))
PY
  )
  read -r requests unauthorized histogram <<<"$summary"
  echo "== fuzz[$driver]: $requests requests generated and sent (by status: $histogram)"
  RESULTS+=("$driver: $requests requests, by status $histogram, $([[ $status == 0 ]] && echo passed || echo FAILED)")
  if ((requests < MIN_REQUESTS)); then
    echo "fuzz[$driver]: fewer than $MIN_REQUESTS requests" >&2
    status=1
  fi
  # The token and the key must last their runs: a run of 401s tests nothing behind authentication.
  if ((unauthorized * 5 > requests)); then
    echo "fuzz[$driver]: $unauthorized answers were 401: the fuzzer lost its token" >&2
    status=1
  fi
  return "$status"
}

RESULTS=()
failed=0
for driver in $DRIVERS; do
  run_driver "$driver" || failed=1
done
echo "== fuzz summary"
printf '   %s\n' "${RESULTS[@]}"
exit "$failed"
