#!/usr/bin/env bash
# Builds one set of Go command-line tools (helm, promtool, ...) from the Go modules pinned in
# tools/go-tools/<set>/go.mod (its `tool` directives name the main packages) and caches them
# outside the repository, keyed by the set's go.mod, go.sum and Go sources:
#   ${LYNQ_CACHE_DIR:-$HOME/.cache/lynq}/go-tools/<set>-<hash>/bin/
# A no-op when that directory is complete (stamp written last). Prints the bin dir on stdout.
#
# Usage: build.sh SET              build (or reuse) and print the bin dir
#        build.sh SET --print-dir  print the bin dir without building
#        build.sh --all            build (or reuse) every set, printing nothing on stdout
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
set_name="${1:-}"
if [[ "$set_name" == "--all" ]]; then
  for d in "$here"/*/; do
    [[ -f "$d/go.mod" ]] && bash "${BASH_SOURCE[0]}" "$(basename "$d")" >/dev/null
  done
  exit 0
fi
if [[ -z "$set_name" || ! -f "$here/$set_name/go.mod" ]]; then
  echo "build.sh: usage: build.sh SET [--print-dir], SET one of: $(cd "$here" && ls -d -- */ 2>/dev/null | tr -d / | tr "\n" " ")" >&2
  exit 2
fi
mod="$here/$set_name"
# The key covers the set's own Go sources too (a tool package inside the module, e.g.
# promtool/promql-selectors): a changed source is a new build. A set without any hashes as before.
# Optional build tags, one line in SET/build-tags (e.g. promtool without the cloud service
# discoveries it never uses here).
tags=""
[[ -f "$mod/build-tags" ]] && tags="$(tr -d '[:space:]' < "$mod/build-tags")"
hash="$({ cat "$mod/go.mod" "$mod/go.sum"; [[ -z "$tags" ]] || echo "tags=$tags"; find "$mod" -name '*.go' -type f -print0 | sort -z | xargs -0r cat; } | sha256sum | cut -c1-12)"
cache_root="${LYNQ_CACHE_DIR:-$HOME/.cache/lynq}"
out="$cache_root/go-tools/${set_name}-${hash}"
bin="$out/bin"
stamp="$out/.complete"

if [[ "${2:-}" == "--print-dir" ]]; then
  echo "$bin"
  exit 0
fi

# Test files may ask for the same set at once on a cold machine: one builds, the others wait.
mkdir -p "$cache_root/go-tools"
exec 9>"$out.lock"
if ! flock -n 9; then
  echo "build.sh: another build of $out is running; waiting for it" >&2
  flock 9
fi

if [[ -f "$stamp" ]]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    echo "build.sh: the Go toolchain (go) is required to build $set_name" >&2
    exit 1
  fi
fi

mkdir -p "$bin"
echo "build.sh: building $set_name into $bin" >&2
start=$SECONDS
export CGO_ENABLED=0
(cd "$mod" && nice -n 10 go build -trimpath ${tags:+-tags "$tags"} -ldflags "-s -w" -o "$bin/" tool)
printf 'set=%s\nhash=%s\nbuilt=%s\nseconds=%s\n' "$set_name" "$hash" "$(date -u +%FT%TZ)" "$((SECONDS - start))" > "$stamp"
echo "build.sh: $set_name done in $((SECONDS - start))s" >&2
echo "$bin"
