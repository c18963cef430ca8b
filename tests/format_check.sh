#!/bin/sh
# The C sources follow the repository's .clang-format.
# usage: format_check.sh SOURCE_ROOT
cd "$1" || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
    echo "SKIP: clang-format is not installed"
    exit 77
fi
# shellcheck disable=SC2046 # the file list is meant to split
if clang-format --dry-run --Werror $(ls src/*.c src/*.h include/snitrace/*.h tests/*.c tests/*.h tests/fuzz/*.c bench/*.c); then
    echo "all C files formatted"
else
    echo "run: clang-format -i on the files above"
    exit 1
fi
