#!/bin/sh
# pl_script.sh - a shell-script plain test: prints a line and exits 0.
# Serial answer: passed.
echo "pl_script: ok"
exit 0
