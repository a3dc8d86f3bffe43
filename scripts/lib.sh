# Shared by the scripts: find JDK 25+, the repository root, and Maven invocation.
# Sourced, not executed.

OCTET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

java_feature_version() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

# Sets JAVA_HOME to a JDK 25 or newer: $JAVA_HOME if it qualifies, else /usr/lib/jvm/*25*; exits otherwise.
octet_select_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(java_feature_version "$JAVA_HOME")
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*25* /usr/lib/jvm/*-2[6-9]* ; do
    if [ -x "$candidate/bin/java" ]; then
      v=$(java_feature_version "$candidate")
      if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
        export JAVA_HOME="$candidate"
        return 0
      fi
    fi
  done
  echo "octet: JDK 25 or newer is required, but none was found." >&2
  echo "       Set JAVA_HOME to a JDK 25 (e.g. Eclipse Temurin 25), or install one under /usr/lib/jvm." >&2
  exit 3
}

octet_mvn() {
  (cd "$OCTET_ROOT" && mvn -B -q "$@")
}

# The Vector API is an incubator module: every JVM that resolves it prints "WARNING: Using incubator modules:
# jdk.incubator.vector" on stderr at boot (jdk.internal.module.ModuleBootstrap.checkIncubatingStatus prints it
# unconditionally; no flag turns it off, and a jlink image containing the module prints it too). The scripts let
# it through rather than filter stderr, which could eat or mangle real messages.
OCTET_JVM_FLAGS="--add-modules jdk.incubator.vector --sun-misc-unsafe-memory-access=allow -Xss16m"
# Added for short-lived processes (the CLI, an app embedding a sentence or two): the serial collector with an 8 MB
# young generation keeps the vector kernels' warm-up garbage (boxed vectors, about 1 GB a second while it runs) from
# growing the heap: peak RSS 274 MB instead of 600 MB with 32 MB, and 8 MB keeps another ~20 MB out of the peak
# (30 sentences: 220 vs 240 MB, the same process wall; README, "First call"). Benchmarks of the steady state keep
# the JVM's default collector.
OCTET_APP_JVM_FLAGS="-XX:+UseSerialGC -Xmn8m"
# Transparent huge pages for the heap, where the kernel gives them on request ("[madvise]"; with "[always]" the heap
# gets them without the flag, with "[never]" the flag would only print a warning): loading MiniLM writes ~110 MB of
# fresh heap (the model and its packed weights), and faulting that in 4 KB pages took ~0.35 s of CPU, a fifth of
# the load (same-run A/B on Zen 5: load 1,596 -> 1,244 ms, same peak RSS).
if grep -qs '\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled; then
  OCTET_APP_JVM_FLAGS+=" -XX:+UseTransparentHugePages"
fi

# Flags for a class-data-sharing archive at $1, for short runs: the first run's JVM writes it at exit and later runs
# map it (-XX:+AutoCreateSharedArchive, JDK 19+), so classes arrive parsed and verified and the operator registry's
# ~440 lambda classes are not generated again: MiniLM's load 1.5 -> 1.2 s (README, "First call"). A JVM whose class
# path jars changed since the archive was written neither maps it nor rewrites it (JDK 25: every later run started
# without it, `octet embed` 2.0 s instead of 1.1 s), so an archive older than any jar among $2... (jars, or folders of
# jars) is deleted here and the next run writes a fresh one. The archive lives in the build's own target/ folder,
# never in a shared temp folder. -Xlog:cds*=off,aot*=off: with --add-modules, every start otherwise prints an
# "[error][cds]" line saying the JDK's default archive was made without that flag, and then carries on.
# Sets the array OCTET_CDS_FLAGS (an array, so a path with spaces stays one argument); expand it quoted.
octet_cds_flags() {
  local archive="$1" entry
  shift
  if [ -f "$archive" ]; then
    for entry in "$@"; do
      if [ -n "$(find "$entry" -maxdepth 1 -name '*.jar' -newer "$archive" -print -quit 2>/dev/null)" ]; then
        rm -f "$archive"
        break
      fi
    done
  fi
  OCTET_CDS_FLAGS=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$archive" '-Xlog:cds*=off,aot*=off')
}
