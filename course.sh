#!/usr/bin/env bash
# minigrad course: set-up, JupyterLab and tests in one script. See README.md.
#
#   ./course.sh lab [--port P] [--no-browser] [--lang en|zh]
#                                               set up, then open the course in JupyterLab
#                                               (--lang zh: the Chinese edition, Chinese interface)
#   ./course.sh test [PYTEST ARGS...]           set up, then lint, type-check and run every test and notebook
#   ./course.sh setup                           only set up (the .venv, graphviz's dot)
#   ./course.sh execute [NOTEBOOK...]           re-execute notebooks in place (fresh outputs)
#   ./course.sh book [--out DIR]                build the course website (build/book/html)
#
# Every step is safe to run again: what is already there is kept.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
FIRST_NOTEBOOK="notebooks/01_chain_rule.ipynb"
NBVAL_ARGS=(--nbval --nbval-current-env --nbval-sanitize-with "$ROOT/tests/nbval_sanitize.cfg")
LINT_PATHS=(minigrad grader tests notebooks solutions benchmarks scripts book)

die() { echo "error: $*" >&2; exit 1; }
info() { echo "==> $*"; }

# Run as root directly, otherwise through sudo if it needs no password; fail otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1
  fi
}

APT_UPDATED=0
APT_BUSY=0
APT_LOCK_WAIT_S="${APT_LOCK_WAIT_S:-600}"
# One apt-get command as root. Another apt-get (or an automatic update) may hold apt's lock: then
# wait for it, saying so once, instead of failing as if the package could not be installed.
apt_run() {
  local log waited=0
  log="$(mktemp)"
  until as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=60 "$@" \
      >"$log" 2>&1; do
    if ! grep -qE 'Could not get lock|Unable to acquire|is another process using it' "$log"; then
      rm -f "$log"; return 1
    fi
    if [ "$waited" -ge "$APT_LOCK_WAIT_S" ]; then
      APT_BUSY=1; rm -f "$log"; return 1
    fi
    [ "$waited" = 0 ] && info "apt is busy (another apt-get or an automatic update holds its lock): waiting for it to finish"
    sleep 10; waited=$((waited + 10))
  done
  rm -f "$log"
}

apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ "$APT_UPDATED" = 0 ]; then
    apt_run update || return 1
    APT_UPDATED=1
  fi
  apt_run install -y "$@"
}

# Why an apt_install failed, for the error messages: apt stayed busy, or it could not install.
apt_failure() {
  if [ "$APT_BUSY" = 1 ]; then
    echo "could not be installed because apt stayed busy for $((APT_LOCK_WAIT_S / 60)) minutes (another apt-get or an automatic update holds its lock): wait for it to finish and run this again, or"
  else
    echo "could not be installed:"
  fi
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

ensure_venv() {
  if [ -x "$PY" ] && "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    return 0
  fi
  local python
  python="$(find_python)" || die "Python 3.11 was not found: install it (Debian/Ubuntu: sudo apt-get install python3.11 python3.11-venv; macOS: brew install python@3.11) or point PYTHON=/path/to/python3.11 at it."
  # Debian and Ubuntu ship venv's ensurepip in a separate package.
  "$python" -c 'import venv, ensurepip' 2>/dev/null \
    || { apt_install python3.11-venv && "$python" -c 'import venv, ensurepip' 2>/dev/null; } \
    || die "Python 3.11's venv module is missing and $(apt_failure) install it (Debian/Ubuntu: sudo apt-get install python3.11-venv) and run this again."
  info "creating the project's virtual environment in .venv"
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
}

# pip install only when requirements.txt or pyproject.toml changed since the last install.
ensure_packages() {
  local stamp="$VENV/.minigrad-installed" want
  want="$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | "$PY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  info "installing the course's Python packages into .venv (first time: about a minute)"
  local log="$VENV/pip-install.log"
  # MINIGRAD_PIP_ARGS lets a user add e.g. an index of CPU-only torch wheels (see README).
  # shellcheck disable=SC2086
  if ! "$PY" -m pip install --disable-pip-version-check -q ${MINIGRAD_PIP_ARGS:-} \
        -r "$ROOT/requirements.txt" >"$log" 2>&1 \
     || ! "$PY" -m pip install --disable-pip-version-check -q --no-deps -e "$ROOT" >>"$log" 2>&1; then
    # Offline, pip finds no version of anything ("from versions: none") or fails to connect.
    if grep -qiE 'from versions: none|NewConnectionError|Temporary failure in name resolution|Failed to establish|Network is unreachable|ConnectTimeout|ReadTimeout|No route to host' "$log"; then
      die "pip could not reach the package index (no network?): connect to the internet and run this again (full log: .venv/pip-install.log)."
    fi
    tail -n 5 "$log" >&2
    die "pip could not install requirements.txt into .venv: see the lines above and .venv/pip-install.log."
  fi
  echo "$want" >"$stamp"
}

ensure_dot() {
  command -v dot >/dev/null && return 0
  info "installing graphviz (the 'dot' program that draws computation graphs)"
  if apt_install graphviz && command -v dot >/dev/null; then return 0; fi
  die "graphviz's 'dot' program is missing and $(apt_failure) run 'sudo apt-get install graphviz' (macOS: 'brew install graphviz'; conda: 'conda install -c conda-forge graphviz') and run this again."
}

# The browser test drives Debian's Chromium; it is only needed to run the tests.
ensure_chromium() {
  command -v chromium >/dev/null && return 0
  info "installing chromium (for the JupyterLab browser test)"
  if apt_install chromium && command -v chromium >/dev/null; then return 0; fi
  # CI must run the browser test; elsewhere (macOS, no sudo) it is skipped with this reason.
  [ "${CI:-}" = true ] && die "chromium is missing and $(apt_failure) run 'sudo apt-get install chromium' (the browser test needs it) and run this again."
  echo "warning: chromium is missing and $(apt_failure) run 'sudo apt-get install chromium'. The JupyterLab browser test will be skipped." >&2
}

# JupyterLab settings for the course (scripts/lab-overrides.json, shared with Binder's postBuild):
# no news or update pop-ups for students to dismiss, and every cell kept in the page (no lazy
# "windowing"), so that search in the page, printing and the browser test see the whole notebook.
ensure_lab_settings() {
  local dir="$VENV/share/jupyter/lab/settings"
  mkdir -p "$dir"
  cp "$ROOT/scripts/lab-overrides.json" "$dir/overrides.json"
}

setup() {
  ensure_venv
  ensure_packages
  ensure_dot
  ensure_lab_settings
}

# Chinese text needs a CJK font in the browser that shows it (the tests' headless Chromium, or a
# browser on this machine); without one every character is a box. Installed where apt can.
ensure_cjk_font() {
  command -v fc-list >/dev/null || return 0  # no fontconfig here: no local browser to serve
  [ -n "$(fc-list :lang=zh family 2>/dev/null)" ] && { ensure_matplotlib_fonts; return 0; }
  info "installing a Chinese font (fonts-wqy-microhei) so that the browser shows Chinese text"
  if apt_install fonts-wqy-microhei && [ -n "$(fc-list :lang=zh family)" ]; then
    ensure_matplotlib_fonts
    return 0
  fi
  [ "${CI:-}" = true ] && die "no Chinese font is installed and fonts-wqy-microhei $(apt_failure) run 'sudo apt-get install fonts-wqy-microhei' and run this again."
  echo "warning: no Chinese font is installed and fonts-wqy-microhei $(apt_failure) run 'sudo apt-get install fonts-wqy-microhei' (a browser on this machine shows boxes instead of Chinese text)." >&2
}

# Matplotlib caches the list of fonts it found on first use: a font installed later (the CJK font
# above) is invisible to it, and the Chinese notebooks' figure labels would be boxes, until that
# cache is rebuilt (notebooks/zh/matplotlibrc names the font).
ensure_matplotlib_fonts() {
  "$PY" - <<'FONTS' || echo "warning: matplotlib could not rebuild its font cache; Chinese figure labels may show as boxes." >&2
from matplotlib import font_manager

if not any(f.name == "WenQuanYi Micro Hei" for f in font_manager.fontManager.ttflist):
    font_manager._load_fontmanager(try_read_cache=False)  # rescans the system fonts, rewrites the cache
FONTS
}

# The Chinese edition (./course.sh lab --lang zh): its first notebook, and JupyterLab's Simplified
# Chinese interface (the language pack in requirements.txt). The locale is set in a settings folder
# of its own (the course's overrides plus the locale) that only this launch reads, so the English
# launch keeps its interface; a student's own choice in Settings > Language still wins.
LAB_EXTRA_ARGS=()
lab_language() {
  case "$1" in
    en) ;;
    zh)
      FIRST_NOTEBOOK="notebooks/zh/01_chain_rule.ipynb"
      ensure_cjk_font
      local dir="$VENV/share/jupyter/lab/settings-zh"
      mkdir -p "$dir"
      "$PY" - "$ROOT/scripts/lab-overrides.json" "$dir/overrides.json" <<'SETTINGS'
import json, sys

settings = json.load(open(sys.argv[1], encoding="utf-8"))
settings["@jupyterlab/translation-extension:plugin"] = {"locale": "zh_CN"}
json.dump(settings, open(sys.argv[2], "w", encoding="utf-8"), indent=2)
SETTINGS
      LAB_EXTRA_ARGS+=(--LabApp.app_settings_dir="$dir") ;;
  esac
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd_lab() {
  local port="" browser=1 lang=en
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="$2"; shift 2 ;;
      --no-browser) browser=0; shift ;;
      --lang)
        case "${2:-}" in
          en|zh) lang="$2"; shift 2 ;;
          *) die "unknown language for lab: '${2:-}' (use --lang en or --lang zh)" ;;
        esac ;;
      *) die "unknown option for lab: $1 (use --port P, --no-browser or --lang en|zh)" ;;
    esac
  done
  setup
  lab_language "$lang"
  # A machine with no screen (a server, a container, CI) gets the URL only.
  if [ "$(uname)" = Linux ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then browser=0; fi
  [ -n "$port" ] || port="$(free_port)"
  local token
  token="$("$PY" -c 'import secrets; print(secrets.token_hex(24))')"
  local url="http://127.0.0.1:$port/lab/tree/$FIRST_NOTEBOOK?token=$token"
  local args=(--ip=127.0.0.1 --port="$port" --ServerApp.port_retries=0
              --IdentityProvider.token="$token" --ServerApp.root_dir="$ROOT"
              --ServerApp.default_url="/lab/tree/$FIRST_NOTEBOOK" --no-browser
              "${LAB_EXTRA_ARGS[@]}")
  [ "$(id -u)" = 0 ] && args+=(--allow-root)
  info "starting JupyterLab: the URL follows once it answers (usually within 10 seconds)"
  # Print the URL (and open the browser) only once JupyterLab answers on it. The watcher runs
  # beside the server, which replaces this shell (exec) so that Ctrl-C and signals reach
  # JupyterLab directly; it gives up when the server has exited ($$ is then the server's pid).
  (
    status=0
    "$PY" - "$port" "$token" $$ <<'WATCH' || status=$?
import os, sys, time, urllib.request

port, token, server = sys.argv[1], sys.argv[2], int(sys.argv[3])
deadline = time.monotonic() + 180
while time.monotonic() < deadline:
    try:
        os.kill(server, 0)
    except OSError:
        sys.exit(2)  # the server exited (and said why)
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit(1)
WATCH
    if [ "$status" = 0 ]; then
      echo
      echo "  The course is ready. Open this URL in your browser:"
      echo
      echo "    $url"
      echo
      echo "  (Ctrl-C here stops JupyterLab.)"
      echo
      if [ "$browser" = 1 ]; then "$PY" -m webbrowser -t "$url" >/dev/null 2>&1 || true; fi
    elif [ "$status" = 1 ]; then
      echo "warning: JupyterLab has not answered for 3 minutes (still starting?); try $url" >&2
    fi
  ) &
  cd "$ROOT"
  exec "$VENV/bin/jupyter" lab "${args[@]}"
}

cmd_test() {
  setup
  ensure_chromium
  ensure_cjk_font  # nbval re-executes the Chinese notebooks, whose figures have Chinese labels
  cd "$ROOT"
  info "ruff: lint and format check"
  "$VENV/bin/ruff" check "${LINT_PATHS[@]}"
  "$VENV/bin/ruff" format --check "${LINT_PATHS[@]}"
  info "mypy: the library's types (strict; settings in pyproject.toml)"
  "$VENV/bin/mypy"
  info "pytest: unit tests, then every notebook re-executed by nbval"
  # Paths given replace the default targets; options (-k, --durations=10, ...) are added.
  local arg has_path=0
  for arg in "$@"; do [[ "$arg" == -* ]] || has_path=1; done
  local targets=()
  [ "$has_path" = 1 ] || targets=(tests notebooks solutions)
  # --dist loadfile keeps each notebook's cells in one worker (they share a kernel).
  # -p no:unraisableexception: that plugin ends each worker with a full gc.collect(), which on a
  # worker's large heap (torch, kernels) can take over 5 s under load; execnet then interrupts the
  # still-running worker with SIGINT (execnet's WorkerGateway._terminate_execution), seen as
  # "KeyboardInterrupt ... Exception ignored in ... gc_callback". Python's own hook still prints
  # unraisable exceptions.
  "$PY" -m pytest -n 2 --dist loadfile -p no:unraisableexception "${NBVAL_ARGS[@]}" "$@" \
    "${targets[@]}"
}

cmd_execute() {
  setup
  ensure_cjk_font  # a Chinese notebook's figures draw Chinese labels
  cd "$ROOT"
  local notebooks=("$@")
  [ ${#notebooks[@]} -gt 0 ] || notebooks=(notebooks/*.ipynb solutions/*.ipynb)
  for nb in "${notebooks[@]}"; do
    [ -f "$nb" ] || continue
    info "executing $nb in place"
    "$VENV/bin/jupyter" nbconvert --to notebook --execute --inplace \
      --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 "$nb"
  done
}

# The website: the stored notebooks (never re-executed) and exercise stubs, rendered by Sphinx
# with myst-nb (book/conf.py); pure Python, so setup's packages are all it needs.
cmd_book() {
  setup
  cd "$ROOT"
  info "building the course website from the stored notebooks (no execution)"
  "$PY" "$ROOT/book/build.py" "$@"
}

main() {
  local command="${1:-}"
  [ $# -gt 0 ] && shift
  case "$command" in
    lab) cmd_lab "$@" ;;
    test) cmd_test "$@" ;;
    setup) setup ;;
    execute) cmd_execute "$@" ;;
    book) cmd_book "$@" ;;
    *) echo "usage: ./course.sh lab [--lang en|zh] | test | setup | execute [NOTEBOOK...] | book [--out DIR]" >&2; exit 2 ;;
  esac
}

main "$@"
