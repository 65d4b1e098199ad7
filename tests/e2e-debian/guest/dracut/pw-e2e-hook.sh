#!/bin/sh
# tests/e2e-debian: dracut's init sources this as its first cmdline hook,
# before it looks for a root: the test runs from the rootfs, and powers the
# machine off.
/e2e/bin/busybox sh /e2e/run
