#!/usr/bin/env bash
# Lints the deployment files: hadolint on the Dockerfile, Kubernetes' own schemas (strict:
# unknown fields are errors) on deploy/kubernetes, then lint_deploy.py's cross-file checks.
# Installs its linters (lint-requirements.txt) into a venv at target/lint-venv on first use
# and whenever that file changes; offline after that. Docker and a cluster are not needed
# (and not used): nothing is built or applied.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv=${HEYGEN_LINT_VENV:-$repo/target/lint-venv}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

want=$(sha256sum "$here/lint-requirements.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/hadolint" ] || [ "$(cat "$venv/.lint-requirements" 2>/dev/null)" != "$want" ]; then
    echo "lint: creating $venv (pip install -r tests/remote/lint-requirements.txt)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --no-input -r "$here/lint-requirements.txt"
    echo "$want" >"$venv/.lint-requirements"
fi

cd "$repo"
passed=0
failed=0
# step LABEL COMMAND...: one counted check.
step() {
    local label=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok    $label"
    else
        failed=$((failed + 1))
        echo "FAIL  $label"
    fi
}
step "hadolint $("$venv/bin/hadolint" --version | sed 's/.* //'): Dockerfile clean" "$venv/bin/hadolint" --no-color Dockerfile
manifests=()
for f in deploy/kubernetes/*.yaml; do
    [ "$(basename "$f")" = kustomization.yaml ] || manifests+=("$f")
done
for version in 1.29 1.37; do
    step "kubernetes-validate --strict, Kubernetes $version schemas: ${manifests[*]}" \
        "$venv/bin/kubernetes-validate" --strict --quiet -k "$version" "${manifests[@]}"
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$venv/bin/python" "$here/lint_deploy.py" "$repo" >"$out" 2>&1 || status=$?
cat "$out"
counted=0
if [[ $(tail -n 1 "$out") =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
    counted=${BASH_REMATCH[2]}
fi
if [ "$status" -ne 0 ] && [ "$counted" -eq 0 ]; then
    failed=$((failed + 1)) # a non-zero exit always counts
fi
echo "== lint: ${SECONDS} s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
