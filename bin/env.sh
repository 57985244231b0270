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
