#!/usr/bin/env bash
# The Debian package: `cpack -G DEB` in this build tree makes failpoint_<version>_<arch>.deb; the
# test checks what it holds, unpacks it with `dpkg -x` into a throwaway root (nothing is
# installed on the machine), and builds a consumer against that root: test/c/project (C and C++
# targets with failpoint_enable(), found with find_package through CMAKE_PREFIX_PATH, rewritten
# by the packaged failpoint-rewrite), run with FAILPOINTS; and pkg-config finds the same root.
#
# Usage: deb_test.sh <failpoint-build-dir> <failpoint-source-dir>
set -euo pipefail

build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/failpoint-deb-XXXXXX")
trap 'rm -rf "$work"' EXIT

# fail, check_eq
source "$(dirname "${BASH_SOURCE[0]}")/../support/check.sh"

(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack -G DEB"; }
deb=$(find "$work/pkg" -maxdepth 1 -name 'failpoint_*.deb')
[[ -n $deb ]] || fail "no .deb in $work/pkg"
echo "ok: cpack made $(basename "$deb")"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in usr/include/failpoint/failpoint.hpp usr/include/failpoint/failpoint.h \
  usr/include/failpoint/control.hpp usr/include/failpoint/control.h \
  usr/include/failpoint/internal/site.hpp usr/include/failpoint/internal/site.h \
  usr/bin/failpoint-rewrite usr/bin/failpointctl \
  'usr/lib.*/libfailpoint\.so\.[0-9]' 'usr/lib.*/libfailpoint_http\.so\.[0-9]' \
  'usr/lib.*/libfailpoint_http_keep\.a' \
  'usr/lib.*/cmake/failpoint/failpointConfig\.cmake' 'usr/lib.*/cmake/failpoint/FailpointEnable\.cmake' \
  'usr/lib.*/pkgconfig/failpoint\.pc' 'usr/lib.*/pkgconfig/failpoint-http\.pc'; do
  grep -q "^\./$path" <<<"$contents" || fail "the package has no $path"
done
echo "ok: headers, libraries, tools, CMake package and pkg-config files are in the package"
depends=$(dpkg-deb -f "$deb" Depends)
grep -q "libstdc++6" <<<"$depends" || fail "Depends does not name libstdc++6: $depends"
echo "ok: Depends: $depends"

root=$work/root
dpkg -x "$deb" "$root"
[[ -x $root/usr/bin/failpoint-rewrite ]] || fail "dpkg -x did not unpack failpoint-rewrite"
"$root/usr/bin/failpoint-rewrite" --help >/dev/null || fail "the packaged failpoint-rewrite does not run"
echo "ok: the packaged failpoint-rewrite runs"

cp -r "$source/test/c/project" "$work/consumer"
{ cmake -S "$work/consumer" -B "$work/consumer-build" "-DCMAKE_PREFIX_PATH=$root/usr" &&
  cmake --build "$work/consumer-build" -j2; } >"$work/consumer.log" 2>&1 ||
  { cat "$work/consumer.log"; fail "the consumer does not build against the unpacked package"; }
grep -q "failpoint_DIR:PATH=$root/usr/lib.*/cmake/failpoint" "$work/consumer-build/CMakeCache.txt" ||
  fail "find_package did not find the unpacked package"
echo "ok: find_package(failpoint) found the package in the throwaway root"
grep -q "$root/usr/bin/failpoint-rewrite" "$work/consumer-build/build.ninja" \
  "$work/consumer-build/CMakeFiles/c_app.dir/build.make" 2>/dev/null ||
  fail "the consumer was not rewritten by the packaged failpoint-rewrite"
echo "ok: the consumer's sources were rewritten by the packaged failpoint-rewrite"
# The program runs against the unpacked libraries (their run path is the throwaway root).
check_eq "a C failpoint switched by FAILPOINTS" "limit 7" \
  "$(FAILPOINTS='c.WriteLimit=return(7)' "$work/consumer-build/c_app" limit)"
check_eq "a C++ and a C failpoint in one program" "cxx 5 limit 100" \
  "$(FAILPOINTS='c.CxxSide=return(5)' "$work/consumer-build/c_mixed" | head -1)"
ldd "$work/consumer-build/c_app" | grep "$root/usr/lib.*/libfailpoint.so" >/dev/null ||
  fail "the consumer does not load the packaged runtime: $(ldd "$work/consumer-build/c_app")"
echo "ok: the consumer loads the packaged libfailpoint"

pc_dir=$(dirname "$(find "$root" -name failpoint.pc)")
check_eq "pkg-config finds the unpacked package" "-I$pc_dir/../../include" \
  "$(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags failpoint | sed 's/ *$//')"
