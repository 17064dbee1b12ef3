#!/bin/sh
# t0500 against a hub in direct mode: no sequencer, no mode ref, as a
# hub on a git host that runs no hooks (issue 17).
BUS_TEST_MODE=direct BUS_TEST_NAME=t0501-sync-direct
export BUS_TEST_MODE BUS_TEST_NAME
exec sh "$BUS_SRC_DIR/tests/t0500-sync.sh"
