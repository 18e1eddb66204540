#!/usr/bin/env bash
# Installs the pinned agent CLIs of the live test tier into test/live/node_modules and checks that each
# binary runs and reports its pinned version. Safe to run again: it does nothing when the pinned
# versions are already installed and working.
#
# Usage: scripts/install-live-engines.sh
# Exit status: 0 when all four CLIs answer --version with their pinned version, 1 otherwise.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
live="$root/test/live"
bin="$live/bin"

# name on PATH | npm package | expected output of `<name> --version` (a fixed substring)
engines=(
  "claude|@anthropic-ai/claude-code|2.1.197 (Claude Code)"
  "codex|@openai/codex|codex-cli 0.171.0"
  "opencode|opencode-ai|1.18.33"
  "pi|@mariozechner/pi-coding-agent|0.73.1"
)

fail() {
  echo "install-live-engines: $*" >&2
  exit 1
}

pinned_version() {
  node -e 'const p = require(process.argv[1]); console.log(p.dependencies[process.argv[2]] ?? "")' \
    "$live/package.json" "$1"
}

installed_version() {
  local manifest="$live/node_modules/$1/package.json"
  [[ -f "$manifest" ]] || return 0
  node -e 'console.log(require(process.argv[1]).version)' "$manifest"
}

# Prints nothing when every pinned package is installed at its pinned version.
missing_or_stale() {
  local entry name pkg want have
  for entry in "${engines[@]}"; do
    IFS='|' read -r name pkg _ <<<"$entry"
    want="$(pinned_version "$pkg")"
    have="$(installed_version "$pkg")"
    [[ "$want" == "$have" ]] || echo "$pkg (pinned $want, installed ${have:-none})"
  done
}

version_of() {
  # stdin from /dev/null: codex reads stdin when it is not a TTY.
  timeout 60 "$bin/$1" --version </dev/null 2>&1 | head -n 5
}

all_versions_ok() {
  local entry name want out
  for entry in "${engines[@]}"; do
    IFS='|' read -r name _ want <<<"$entry"
    out="$(version_of "$name" || true)"
    [[ "$out" == *"$want"* ]] || return 1
  done
}

command -v node >/dev/null || fail "node is not on PATH"
command -v npm >/dev/null || fail "npm is not on PATH"
[[ -f "$live/package-lock.json" ]] || fail "missing $live/package-lock.json"

stale="$(missing_or_stale)"
if [[ -z "$stale" ]] && all_versions_ok; then
  echo "install-live-engines: pinned CLIs already installed in $live/node_modules"
else
  if [[ -n "$stale" ]]; then
    echo "install-live-engines: installing; not at the pinned version: $(paste -sd ';' <<<"$stale")"
  fi
  cd "$live"
  # `npm ci` refuses a lockfile that lacks optional platform packages the registry cannot serve (the
  # mirror used here has no opencode-darwin-*/windows-* packages, so they are absent from the lock);
  # `npm install --no-save` then installs the same locked versions and leaves the lockfile untouched.
  ci_log="$(mktemp)"
  if npm ci --no-audit --no-fund >"$ci_log" 2>&1; then
    cat "$ci_log"
  else
    echo "install-live-engines: npm ci refused ($(grep -m1 'Missing:' "$ci_log" || grep -m1 'npm error' "$ci_log" || echo 'see npm log'));" \
      "installing the locked versions with npm install" >&2
    npm install --no-save --no-audit --no-fund || fail "npm install failed in $live"
  fi
  rm -f "$ci_log"
  stale="$(missing_or_stale)"
  [[ -z "$stale" ]] || fail "after install, still not at the pinned versions: $stale"
fi

status=0
for entry in "${engines[@]}"; do
  IFS='|' read -r name pkg want <<<"$entry"
  [[ -x "$bin/$name" ]] || { echo "install-live-engines: $bin/$name is missing" >&2; status=1; continue; }
  out="$(version_of "$name" || true)"
  if [[ "$out" == *"$want"* ]]; then
    echo "install-live-engines: $name ok ($want)"
  else
    # claude and opencode ship a stub that only works once their postinstall copied the native binary
    # in; that needs allowScripts in test/live/package.json.
    echo "install-live-engines: $name ($pkg) does not report '$want'; it printed:" >&2
    printf '  %s\n' "$out" >&2
    status=1
  fi
done
[[ $status -eq 0 ]] || fail "some CLIs are not usable; see above"
