#!/bin/sh
# t0600 against a hub in direct mode (bus-init --hub --direct): the
# SIGKILL loops with every station pushing the branch itself (issue 17).
BUS_TEST_MODE=direct BUS_TEST_NAME=t0601-crash-direct
export BUS_TEST_MODE BUS_TEST_NAME
exec sh "$BUS_SRC_DIR/tests/t0600-crash.sh"
