#!/bin/sh
test_description="placeholder"
. "$BUS_SRC_DIR/tests/test-lib.sh"
test_expect_success "placeholder" "true"
test_done
