#!/bin/sh
# scripts/check-docs.sh BALRUN SOURCE_DIR - every long flag `balrun --help`
# lists is documented in the man page (docs/balrun.1) and in docs/ (usage.md
# or the page on its subject), so that the three stay true to each other.
# Prints each flag missing from one of them; exit 1 if any is.
set -eu
balrun=$1
top=$2
missing=0
for flag in $("$balrun" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	# the man page escapes every '-' as '\-'
	man=$(printf '%s' "$flag" | sed 's/-/\\\\-/g')
	if ! grep -q -- "$man" "$top/docs/balrun.1"; then
		echo "check-docs: $flag is in balrun --help but not in docs/balrun.1"
		missing=1
	fi
	if ! grep -q -- "$flag" "$top"/docs/*.md; then
		echo "check-docs: $flag is in balrun --help but in no page of docs/"
		missing=1
	fi
done
[ "$missing" = 0 ] && echo "check-docs: every flag of balrun --help is in docs/balrun.1 and docs/"
exit "$missing"
