# shellcheck shell=bash
# Finds a JDK >= 21 for building and running specdec. Sourced by ./specdec, ./build and .ci/run.
#
#   specdec_find_jdk    prints the JDK's home and returns 0, or explains on stderr and returns 1.
#                       Looks at, in order: $JAVA_HOME; the `java` on PATH; the newest JDK under
#                       /usr/lib/jvm/*/ (Linux) and /Library/Java/JavaVirtualMachines/*/Contents/Home
#                       (macOS). A JDK must have bin/java and bin/javac.
#   specdec_require_mvn returns 0 when `mvn` is on PATH, or says how to install it and returns 1.

SPECDEC_MIN_JAVA=21

# The feature release of the java binary $1 (e.g. 25, or 8 for 1.8), or nothing.
specdec_java_major() {
  local version
  version="$("$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = //p' | head -n 1)" || return 1
  version="${version#1.}"
  [[ "$version" =~ ^[0-9]+$ ]] && printf '%s\n' "$version"
}

# Prints the major version when $1 is a JDK home with java and javac and version >= 21.
specdec_check_jdk() {
  local home="$1" major
  [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 1
  major="$(specdec_java_major "$home/bin/java")" || return 1
  [[ -n "$major" && "$major" -ge "$SPECDEC_MIN_JAVA" ]] || return 1
  printf '%s\n' "$major"
}

specdec_find_jdk() {
  local looked=() home major best="" best_major=0 java_bin
  if [[ -n "${JAVA_HOME:-}" ]]; then
    if specdec_check_jdk "$JAVA_HOME" >/dev/null; then
      printf '%s\n' "$JAVA_HOME"
      return 0
    fi
    looked+=("JAVA_HOME=$JAVA_HOME ($(specdec_describe "$JAVA_HOME"))")
  else
    looked+=("JAVA_HOME (not set)")
  fi
  if java_bin="$(command -v java 2>/dev/null)"; then
    home="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"
    if specdec_check_jdk "$home" >/dev/null; then
      printf '%s\n' "$home"
      return 0
    fi
    looked+=("java on PATH: $java_bin -> $home ($(specdec_describe "$home"))")
  else
    looked+=("java on PATH (none)")
  fi
  local candidates=(/usr/lib/jvm/*/ /Library/Java/JavaVirtualMachines/*/Contents/Home/)
  for home in "${candidates[@]}"; do
    [[ -d "$home" ]] || continue
    home="${home%/}"
    if major="$(specdec_check_jdk "$home")"; then
      if [[ "$major" -gt "$best_major" ]]; then
        best="$home"
        best_major="$major"
      fi
    else
      looked+=("$home ($(specdec_describe "$home"))")
    fi
  done
  if [[ -n "$best" ]]; then
    printf '%s\n' "$best"
    return 0
  fi
  {
    echo "specdec: error: no JDK >= $SPECDEC_MIN_JAVA found (specdec needs java and javac $SPECDEC_MIN_JAVA or newer). Looked at:"
    printf '  - %s\n' "${looked[@]}"
    echo "Install one (e.g. 'apt-get install openjdk-21-jdk-headless', or a Temurin JDK) or set JAVA_HOME to it."
  } >&2
  return 1
}

# Why $1 is not a usable JDK, in a few words.
specdec_describe() {
  local home="$1" major
  if [[ ! -x "$home/bin/java" ]]; then
    echo "no bin/java"
  elif ! major="$(specdec_java_major "$home/bin/java")" || [[ -z "$major" ]]; then
    echo "cannot tell its version"
  elif [[ "$major" -lt "$SPECDEC_MIN_JAVA" ]]; then
    echo "Java $major"
  elif [[ ! -x "$home/bin/javac" ]]; then
    echo "Java $major, but a JRE without bin/javac"
  else
    echo "Java $major"
  fi
}

specdec_require_mvn() {
  if command -v mvn >/dev/null 2>&1; then
    return 0
  fi
  {
    echo "specdec: error: Maven ('mvn') is not on PATH; specdec builds with Maven 3.8 or newer."
    echo "Install it, e.g. 'sudo apt-get install maven' (Debian/Ubuntu) or 'brew install maven' (macOS)."
  } >&2
  return 1
}
