#!/bin/sh
# A TAP producer for the meson fixture project: $1 selects the stream.
case "$1" in
good) printf '1..4\nok 1 first\nnot ok 2 second # TODO not yet\nok 3 third # SKIP no network\nok 4 - fourth\n';;
bad) printf 'TAP version 13\n1..3\nok 1 first\nnot ok 2 second\n# a diagnostic\nok 3\n';;
bail) printf '1..3\nok 1 first\nBail out! db gone\n';;
short) printf '1..3\nok 1 first\n';;
noplan) printf 'ok 1 a\nok 2 b\n';;
rc1) printf '1..1\nok 1 first\n'; exit 1;;
skipall) printf '1..0 # SKIP nothing to do\n';;
garbage) printf 'hello\n1..1\nok 1 x\n';;
esac
