#!/usr/bin/env bash
# Installs the peers that tessera is benchmarked against, on demand and idempotently.
# None of them is a dependency of tessera: Debian packages go to the system Python
# (/usr/bin/python3), TensorFlow.js and jax-js go to their own npm prefix bench/.peers (gitignored),
# never into the project's node_modules or package.json.
#
#   bash bench/setup-peers.sh [--no-apt] [--no-npm] [--with-onnx]
#
# Every peer ends in a status line "peer NAME: ok (...)" or "peer NAME: absent (reason)",
# and the same facts go to bench/out/peers-status.json, so a peer that could not be
# installed is reported, not silently dropped. Exit code 0 unless the script itself broke.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="$here/.peers"
out_dir="$here/out"
python_bin="${TESSERA_PEER_PYTHON:-/usr/bin/python3}"
do_apt=1
do_npm=1
with_onnx=0
for arg in "$@"; do
  case "$arg" in
    --no-apt) do_apt=0 ;;
    --no-npm) do_npm=0 ;;
    --with-onnx) with_onnx=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup-peers.sh: unknown option '$arg' (expected --no-apt, --no-npm, --with-onnx)" >&2; exit 2 ;;
  esac
done

mkdir -p "$out_dir"
declare -a status_lines=()
# record NAME STATUS DETAIL: one line for the console, one JSON entry for the harness.
record() {
  local name="$1" status="$2" detail="$3"
  echo "peer $name: $status ($detail)"
  detail="${detail//\\/\\\\}"
  detail="${detail//\"/\\\"}"
  status_lines+=("  {\"name\": \"$name\", \"status\": \"$status\", \"detail\": \"$detail\"}")
}

# --- Debian: PyTorch, NumPy, and the threaded OpenBLAS they need --------------------------
# Without libopenblas0-pthread, Debian's numpy and torch fall back to the reference BLAS
# (libblas3), about 30x slower on SGEMM: the benchmark would measure the wrong library.
apt_packages=(python3-torch python3-numpy libopenblas0-pthread python3-threadpoolctl)
is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if [ "$do_apt" = 1 ]; then
  missing=()
  for pkg in "${apt_packages[@]}"; do is_installed "$pkg" || missing+=("$pkg"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "setup-peers.sh: apt-get not found, cannot install ${missing[*]}" >&2
    else
      echo "setup-peers.sh: installing ${missing[*]} with apt-get"
      apt-get update -qq >"$out_dir/apt-update.log" 2>&1 || echo "setup-peers.sh: apt-get update failed (see bench/out/apt-update.log)" >&2
      # One package at a time so that one that fails does not take the others down with it.
      for pkg in "${missing[@]}"; do
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" \
          >>"$out_dir/apt-install.log" 2>&1 || echo "setup-peers.sh: apt-get install $pkg failed (see bench/out/apt-install.log)" >&2
      done
    fi
  fi
fi

for pkg in "${apt_packages[@]}"; do
  is_installed "$pkg" || echo "setup-peers.sh: Debian package $pkg is not installed" >&2
done

if ! command -v "$python_bin" >/dev/null 2>&1; then
  record torch absent "no Python interpreter at $python_bin"
  record numpy absent "no Python interpreter at $python_bin"
else
  if v="$("$python_bin" -c 'import torch; print(torch.__version__)' 2>&1)"; then
    record torch ok "torch $v, $python_bin"
  else
    record torch absent "import torch failed in $python_bin: $(echo "$v" | tail -n 1)"
  fi
  # Which BLAS numpy really loaded: threadpoolctl reads it from the loaded libraries. Probed
  # with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, as the benchmarks run it, so that the
  # kernel named is the one OpenBLAS picks for this CPU (a pinned core type is reported apart).
  blas_probe='
import numpy
try:
    import threadpoolctl
    libs = [" ".join(str(i.get(k)) for k in ("internal_api", "version", "threading_layer", "architecture", "filepath"))
            for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
except ImportError:
    libs = ["threadpoolctl absent"]
print("numpy " + numpy.__version__ + "; blas: " + "; ".join(libs))
'
  if v="$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python_bin" -c "$blas_probe" 2>&1)"; then
    [ -n "${OPENBLAS_CORETYPE:-}" ] && v="$v; this environment pins OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE (unset by the benchmarks)"
    if echo "$v" | grep -qi openblas; then
      record numpy ok "$v"
    else
      record numpy ok "$v (WARNING: not OpenBLAS; install libopenblas0-pthread)"
    fi
  else
    record numpy absent "import numpy failed in $python_bin: $(echo "$v" | tail -n 1)"
  fi
fi

# --- npm: TensorFlow.js and jax-js in their own prefix -----------------------------------
tfjs_version=4.22.0
# jax-js: the JavaScript peer of the wasm backend (its Wasm backend; bench/wasm.ts).
jaxjs_version=0.1.25
installed_version() { # prints the version of package $1 under the prefix, or nothing
  node -e "try{console.log(require(process.argv[1]).version)}catch{}" "$prefix/node_modules/$1/package.json" 2>/dev/null
}

if [ "$do_npm" = 1 ]; then
  mkdir -p "$prefix"
  # A package.json of its own keeps npm from walking up to tessera's package.json.
  [ -f "$prefix/package.json" ] || printf '{\n  "name": "tessera-bench-peers",\n  "private": true\n}\n' >"$prefix/package.json"
  want=()
  [ "$(installed_version @tensorflow/tfjs)" = "$tfjs_version" ] || want+=("@tensorflow/tfjs@$tfjs_version")
  [ "$(installed_version @tensorflow/tfjs-backend-wasm)" = "$tfjs_version" ] || want+=("@tensorflow/tfjs-backend-wasm@$tfjs_version")
  [ "$(installed_version @jax-js/jax)" = "$jaxjs_version" ] || want+=("@jax-js/jax@$jaxjs_version")
  [ "$with_onnx" = 1 ] && [ -z "$(installed_version onnxruntime-node)" ] && want+=("onnxruntime-node")
  if [ "${#want[@]}" -gt 0 ]; then
    echo "setup-peers.sh: npm install --prefix bench/.peers ${want[*]}"
    # --ignore-scripts: none of these may download anything at install time
    # (onnxruntime-node's postinstall fetches GPU libraries; its CPU binary ships in the tarball).
    npm install --prefix "$prefix" --no-audit --no-fund --ignore-scripts "${want[@]}" \
      >"$out_dir/npm-install.log" 2>&1 || echo "setup-peers.sh: npm install failed (see bench/out/npm-install.log)" >&2
  fi
fi

for pkg in @tensorflow/tfjs @tensorflow/tfjs-backend-wasm @jax-js/jax onnxruntime-node; do
  v="$(installed_version "$pkg")"
  if [ -n "$v" ]; then
    record "$pkg" ok "$v in bench/.peers"
  elif [ "$pkg" = onnxruntime-node ] && [ "$with_onnx" = 0 ]; then
    record "$pkg" absent "optional, not requested (pass --with-onnx)"
  else
    record "$pkg" absent "not installed in bench/.peers (npm install failed or --no-npm)"
  fi
done

tmp="$out_dir/peers-status.json.tmp.$$"
{
  echo "["
  for i in "${!status_lines[@]}"; do
    if [ "$i" -lt $((${#status_lines[@]} - 1)) ]; then echo "${status_lines[$i]},"; else echo "${status_lines[$i]}"; fi
  done
  echo "]"
} >"$tmp" && mv "$tmp" "$out_dir/peers-status.json"
