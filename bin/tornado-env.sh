#!/usr/bin/env bash
# Sourced by bin/test and bin/maskseg after bin/env.sh (JAVA_HOME is a JDK >= 25). When TORNADOVM_HOME points at an
# installed TornadoVM SDK it sets:
#   MASKSEG_TORNADO_VERSION  the SDK's version (from its tornado-api-<version>.jar), passed to Maven as -Dtornado.version
#   MASKSEG_TORNADO_FLAGS    the JVM flags of `tornado --printJavaFlags`, without the java executable (its first word)
#                            and without the current directory on the module path (`--module-path .:` would load any
#                            jar in the working directory as a module)
# and returns 0. Without TORNADOVM_HOME it sets MASKSEG_TORNADO_SKIP (why) and returns 1. A TORNADOVM_HOME that is not
# a usable SDK is an error: one line on stderr, then exit 1.

maskseg_tornado_fail() {
  echo "maskseg: TORNADOVM_HOME=$TORNADOVM_HOME: $*" >&2
  exit 1
}

maskseg_tornado_env() {
  MASKSEG_TORNADO_SKIP=""
  if [ -z "${TORNADOVM_HOME:-}" ]; then
    MASKSEG_TORNADO_SKIP="TORNADOVM_HOME is not set (point it at a TornadoVM SDK to build and test the tornado backend)"
    return 1
  fi
  [ -x "$TORNADOVM_HOME/bin/tornado" ] || maskseg_tornado_fail "no bin/tornado there; is it a TornadoVM SDK?"
  local jar
  jar=$(ls "$TORNADOVM_HOME"/share/java/tornado/tornado-api-*.jar 2>/dev/null | head -1)
  [ -n "$jar" ] || maskseg_tornado_fail "no share/java/tornado/tornado-api-*.jar there; is it a TornadoVM SDK?"
  MASKSEG_TORNADO_VERSION=$(basename "$jar" .jar)
  MASKSEG_TORNADO_VERSION=${MASKSEG_TORNADO_VERSION#tornado-api-}
  local line
  line=$(JAVA_HOME="$JAVA_HOME" "$TORNADOVM_HOME/bin/tornado" --printJavaFlags 2>/dev/null | tail -1) \
    || maskseg_tornado_fail "'tornado --printJavaFlags' failed (JAVA_HOME=$JAVA_HOME)"
  # With an unsupported JDK it exits 0 and prints a sentence instead ("TornadoVM supports only JDK version 25").
  case "$line" in
    */bin/java\ *--module-path*) ;;
    *) maskseg_tornado_fail "'tornado --printJavaFlags' printed no JVM flags with JAVA_HOME=$JAVA_HOME: ${line:-nothing}" ;;
  esac
  line=${line#* }
  MASKSEG_TORNADO_FLAGS=${line//--module-path .:/--module-path }
  export MASKSEG_TORNADO_VERSION MASKSEG_TORNADO_FLAGS
  return 0
}
