#!/usr/bin/env bash
# Sourced by the project's scripts: finds a JDK >= 25 (the build compiles with --release 25) and exports JAVA_HOME.
# Order: JAVA_HOME if it is >= 25, then /usr/lib/jvm/*25*, then any /usr/lib/jvm/* >= 25.

maskseg_java_major() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  echo "${v:-0}"
}

maskseg_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(maskseg_java_major "$JAVA_HOME")" -ge 25 ]; then
    echo "$JAVA_HOME"; return 0
  fi
  local d
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [ -x "$d/bin/javac" ] && [ "$(maskseg_java_major "$d")" -ge 25 ]; then echo "$d"; return 0; fi
  done
  return 1
}

if ! MASKSEG_JDK=$(maskseg_find_jdk); then
  echo "maskseg: no JDK >= 25 found (the build needs it): set JAVA_HOME or install temurin-25-jdk under /usr/lib/jvm" >&2
  exit 1
fi
export JAVA_HOME="$MASKSEG_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "maskseg: Maven (mvn) not found: install it, e.g. 'apt-get install -y maven'" >&2
  exit 1
fi
# A quiet build. Debian's Maven 3.8.7 writes two ANSI resets ("[0m[0m") when it starts and ends even with -B or
# -Dstyle.color=never: its jansi 2.4 resets the console on install and uninstall; jansi.noreset stops that. Maven's
# guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run (JEP 498); the JDK's own switch allows it.
# Both only concern Maven's JVM: the test forks take their flags from the pom.
export MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true -Dstyle.color=never --sun-misc-unsafe-memory-access=allow"
