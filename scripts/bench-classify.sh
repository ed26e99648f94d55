#!/bin/sh
# Throughput of the classifier on one core: 10,000 generated Finnish documents of 5,000 words
# each with the default rules. Prints the wall time and the thread's CPU time (on a shared
# machine the CPU time is the fairer figure). Extra arguments go to the benchmark, e.g.
#   scripts/bench-classify.sh --docs 1000 --words 2000
set -eu
cd "$(dirname "$0")/.."
exec cargo bench -q -p kooste-classify --bench classify -- "$@"
