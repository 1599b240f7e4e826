#!/usr/bin/env bash
# cli_only_prints.sh — only the command (src/cli/) prints to standard output
# or standard error or ends the process; the library below it returns status
# and an error message. Fails (exit 1), naming FILE:LINE, when a .c or .h
# file under SRC_DIR outside SRC_DIR/cli/ names stdout, stderr,
# STDOUT_FILENO or STDERR_FILENO (fprintf/fputs/fputc/fwrite/vfprintf/
# fflush to them), writes to fd 1 or 2, or calls printf, vprintf, puts,
# putchar, perror, psignal, psiginfo, exit, _exit, _Exit, quick_exit, abort
# or assert. Comments, strings and character constants are not looked at.
# usage: cli_only_prints.sh SRC_DIR
#        cli_only_prints.sh --selftest   (proves it finds each of them)
set -u

# Print "FILE:LINE: what: the line" for each offending line of FILE.
check_file() {
  awk -v file="$1" '
    # the line with comments, strings and character constants blanked
    # (state carries block comments over lines)
    function strip(s,    out, i, c, d) {
      out = ""
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1); d = substr(s, i + 1, 1)
        if (st == "c") {
          if (c == "*" && d == "/") { st = ""; i++; out = out "  " } else out = out " "
        } else if (st == "\"" || st == "\x27") {
          if (c == "\\") { i++; out = out "  " }
          else { if (c == st) st = ""; out = out " " }
        } else if (c == "/" && d == "*") { st = "c"; i++; out = out "  " }
        else if (c == "/" && d == "/") break
        else if (c == "\"" || c == "\x27") { st = c; out = out " " }
        else out = out c
      }
      if (st != "c") st = ""
      return out
    }
    BEGIN {
      w = "(^|[^A-Za-z0-9_])"
      call = w "(printf|vprintf|puts|putchar|perror|psignal|psiginfo|exit|_exit|_Exit|quick_exit|abort|assert)[ \t]*\\("
      std = w "(stdout|stderr|STDOUT_FILENO|STDERR_FILENO)([^A-Za-z0-9_]|$)"
      fd = w "write[ \t]*\\([ \t]*[12][ \t]*,"
    }
    {
      s = strip($0); line = $0; sub(/^[ \t]+/, "", line)
      if (s ~ call) print file ":" FNR ": prints or exits: " line
      else if (s ~ std) print file ":" FNR ": uses standard output or error: " line
      else if (s ~ fd) print file ":" FNR ": writes to fd 1 or 2: " line
    }' "$1"
}

# Check every .c and .h under $1 outside $1/cli/; exit 1 if one offends.
check_tree() {
  local dir=${1%/} out n
  [ -d "$dir" ] || { echo "usage: $0 SRC_DIR | --selftest"; return 2; }
  out=$(find "$dir" \( -path "$dir/cli" -prune \) -o -type f \( -name '*.c' -o -name '*.h' \) -print |
        LC_ALL=C sort | while IFS= read -r f; do check_file "$f"; done)
  n=$(find "$dir" \( -path "$dir/cli" -prune \) -o -type f \( -name '*.c' -o -name '*.h' \) -print | wc -l)
  if [ -n "$out" ]; then
    echo "$out"
    echo "FAIL: only $dir/cli/ may print to stdout/stderr or exit; the library returns status and an error message"
    return 1
  fi
  echo "ok: $n files under $dir outside cli/ neither print nor exit"
}

# A tree with one offence a line in bad.c, and lookalikes that are none in
# good.c and in cli/: the script must name exactly bad.c's lines.
selftest() {
  local tmp rc got want
  tmp=$(mktemp -d) || return 2
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/src/cli" "$tmp/src/sub"
  cat >"$tmp/src/cli/main.c" <<'EOF'
int main(void) { printf("hi\n"); fflush(stdout); exit(0); }
EOF
  cat >"$tmp/src/good.c" <<'EOF'
/* printf("x"); exit(1); stdout, stderr
   abort() in a block comment over lines: fprintf(stderr, "") */
static const char *s = "printf(\"x\"); exit(2); stderr \" abort()";
static const char c = '"'; /* a quote in a character constant */
int os_exit(int x); int my_abort(void); int stdout_lines; // exit(3) stdout
void f(FILE *out) { fprintf(out, "exit(%d) stdout\n", 1); snprintf(b, 1, "%s", "puts("); }
static void g(int fd) { write(fd, "", 0); _Static_assert(1, "x"); }
EOF
  cat >"$tmp/src/sub/bad.h" <<'EOF'
#define SAY(x) fputs(x, stderr)
EOF
  cat >"$tmp/src/bad.c" <<'EOF'
void a(void) { printf("x"); }
void b(void) { puts("x"); }
void c(void) { putchar('x'); }
void d(void) { perror("x"); }
void e(void) { fprintf(stderr, "x"); }
void f(void) { fputs("x", stdout); }
void g(void) { fputc('x', stderr); }
void h(void) { fwrite("x", 1, 1, stdout); }
void i(va_list ap) { vfprintf(stderr, "%d", ap); }
void j(void) { fflush(stdout); }
void k(void) { psignal(1, "x"); }
void l(void) { exit(2); }
void m(void) { _exit(2); }
void n(void) { abort (); }
void o(void) { write(2, "x", 1); }
void p(void) { assert(0); } /* printf( in a comment after code */
EOF
  got=$(check_tree "$tmp/src"); rc=$?
  want=$(printf '%s\n' "$tmp/src/bad.c:"{1..16} "$tmp/src/sub/bad.h:1")
  if [ $rc != 1 ] || [ "$(sed -n 's/^\([^:]*:[0-9]*\):.*/\1/p' <<<"$got")" != "$want" ]; then
    echo "FAIL: selftest: exit $rc (want 1), output:"; echo "$got"; return 1
  fi
  rm "$tmp/src/bad.c" "$tmp/src/sub/bad.h"
  check_tree "$tmp/src" >/dev/null ||
    { echo "FAIL: selftest: a tree without offences was refused"; return 1; }
  echo "ok: selftest: 17 offences named by FILE:LINE, no false alarm on comments, strings, lookalikes or cli/"
}

case ${1:-} in
  --selftest) selftest ;;
  "") echo "usage: $0 SRC_DIR | --selftest"; exit 2 ;;
  *) check_tree "$1" ;;
esac
