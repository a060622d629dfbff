#!/bin/bash
# The .deb that CPack builds from this build tree: metadata, contents, and the
# installed tree working (binary, man page, bash completion, a report from the
# installed example). The package is unpacked into a temporary root with
# dpkg-deb -x (nothing installed on this machine); with ECRAUDIT_DEB_INSTALL=1
# (CI, as root) it is also installed for real with dpkg -i and run from /usr.
# Env (from CTest): ECRAUDIT, ECR_SRC, ECR_BUILD.
set -u
: "${ECR_BUILD:?}" "${ECR_SRC:?}" "${ECRAUDIT:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ecraudit-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for t in cpack dpkg-deb; do
  command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 0; }
done

if ! cpack --config "$ECR_BUILD/CPackConfig.cmake" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log"
  fail "cpack -G DEB"
  exit 1
fi
deb=$(ls "$tmp"/pkg/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] && ok "cpack built $(basename "$deb")" || { fail "no .deb"; exit 1; }

info=$(dpkg-deb -f "$deb" Package Version Architecture Depends)
echo "$info" | grep -q '^Package: ecraudit$' && ok "Package: ecraudit" || fail "Package field: $info"
# the version of the binary inside the package (cpack may have rebuilt the tree)
dpkg-deb -x "$deb" "$tmp/root"
version=$("$tmp/root/usr/bin/ecraudit" --version | awk '{print $2}')
echo "$info" | grep -q "^Version: ${version//-/+}-1$" && ok "Version follows the packaged binary's ($version)" ||
  fail "Version field vs packaged binary $version: $info"
for dep in libxml2 libcjson1 libcurl4 libssl3 libhpdf-2.3.0 fonts-dejavu-core; do
  echo "$info" | grep -q "^Depends:.*\b$dep\b" || fail "Depends lacks $dep"
done
ok "Depends names the runtime libraries and the PDF font"
# every runtime library the binary links is provided by a package it depends on
if command -v ldd >/dev/null && command -v dpkg >/dev/null; then
  missing=
  for lib in $(ldd "$ECRAUDIT" | awk '/=> \//{print $3}'); do
    real=$(readlink -f "$lib")
    pkg=$(dpkg -S "$real" 2>/dev/null | head -1 | cut -d: -f1)
    [ -z "$pkg" ] && pkg=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)
    case "$pkg" in
      ""|libc6|libgcc-s1|libstdc++6|libasan*|libubsan*|libgcc*) continue ;; # base system / sanitizer build
    esac
    echo "$info" | grep -q "^Depends:.*\b$pkg\b" || missing="$missing $pkg"
  done
  # transitive dependencies of the named libraries come with them
  direct=$(objdump -p "$ECRAUDIT" 2>/dev/null | awk '/NEEDED/{print $2}')
  really_missing=
  for pkg in $missing; do
    for so in $direct; do
      if dpkg -L "$pkg" 2>/dev/null | grep -q "/$so\$"; then really_missing="$really_missing $pkg"; fi
    done
  done
  [ -z "$really_missing" ] && ok "every directly linked library's package is a dependency" ||
    fail "Depends lacks:$really_missing"
fi

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$tmp/contents"
for f in /usr/bin/ecraudit /usr/share/man/man1/ecraudit.1 \
         /usr/share/bash-completion/completions/ecraudit /usr/share/doc/ecraudit/copyright \
         /usr/share/doc/ecraudit/README.md /usr/share/doc/ecraudit/docs/findings.md \
         /usr/share/doc/ecraudit/docs/findings.schema.json /usr/share/doc/ecraudit/examples/acme/manifest.json \
         /usr/share/doc/ecraudit/examples/acme/ledger.json; do
  grep -qx "$f" "$tmp/contents" && ok "package holds $f" || fail "package lacks $f"
done
grep -q "Apache License" <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/ecraudit/copyright) &&
  ok "copyright is the Apache-2.0 licence" || fail "copyright is not Apache-2.0"

check_tree() { # LABEL PREFIX (the root the package is installed under)
  local label=$1 root=$2 bin=$2/usr/bin/ecraudit
  local v
  v=$("$bin" --version) && echo "$v" | grep -q "^ecraudit $version " && ok "$label: ecraudit --version: $v" ||
    fail "$label: --version: $v"
  "$bin" report --evidence "$root/usr/share/doc/ecraudit/examples/acme" \
    --exceptions "$root/usr/share/doc/ecraudit/examples/acme/ledger.json" --as-of 2026-11-27 \
    --out "$tmp/$label-report" >/dev/null 2>"$tmp/$label.err"
  local rc=$?
  if [ $rc -eq 1 ] && [ -s "$tmp/$label-report/report.pdf" ] && [ -s "$tmp/$label-report/findings.json" ]; then
    ok "$label: a report from the installed example (exit 1: non-compliant, all files)"
  else
    fail "$label: report from the example: exit $rc: $(cat "$tmp/$label.err")"
  fi
  /usr/bin/python3 "$ECR_SRC/tests/cli/findings_schema.py" "$tmp/$label-report/findings.json" \
    >"$tmp/$label.schema" 2>&1 && ok "$label: its findings.json matches docs/findings.schema.json" ||
    fail "$label: findings.json: $(head -3 "$tmp/$label.schema")"
  if command -v man >/dev/null; then
    MANWIDTH=80 man -l "$root/usr/share/man/man1/ecraudit.1" 2>"$tmp/man.err" | grep -q "fail-on" &&
      [ ! -s "$tmp/man.err" ] && ok "$label: man page renders without warnings" ||
      fail "$label: man page: $(cat "$tmp/man.err")"
  fi
  bash -c 'source "$1" && COMP_WORDS=(ecraudit report --fail-on h) && COMP_CWORD=3 && _ecraudit &&
           [ "${COMPREPLY[*]}" = high ]' _ "$root/usr/share/bash-completion/completions/ecraudit" &&
    ok "$label: bash completion completes --fail-on h -> high" || fail "$label: bash completion"
}

# `cmake --install` puts the same files under any prefix
if cmake --install "$ECR_BUILD" --prefix "$tmp/inst" >"$tmp/install.log" 2>&1; then
  for f in bin/ecraudit share/man/man1/ecraudit.1 share/bash-completion/completions/ecraudit \
           share/doc/ecraudit/copyright share/doc/ecraudit/examples/acme/manifest.json \
           share/doc/ecraudit/docs/README.md; do
    [ -e "$tmp/inst/$f" ] || fail "cmake --install: no $f"
  done
  ok "cmake --install --prefix: binary, man page, completion, copyright, example"
else
  fail "cmake --install: $(tail -3 "$tmp/install.log")"
fi

check_tree unpacked "$tmp/root"

if [ "${ECRAUDIT_DEB_INSTALL:-0}" = 1 ] && [ "$(id -u)" = 0 ]; then
  if dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
    ok "dpkg -i $(basename "$deb")"
    check_tree installed ""
  else
    cat "$tmp/dpkg.log"
    fail "dpkg -i"
  fi
else
  echo "note: dpkg -i skipped (set ECRAUDIT_DEB_INSTALL=1 as root; .ci/run does)"
fi

[ $fails -eq 0 ] && echo "all packaging checks passed" || { echo "$fails check(s) failed"; exit 1; }
