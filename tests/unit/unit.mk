# Unit-test extras (included by the Makefile).
#
# bcd-oracle: DAA DAS AAA AAS AAM AAD do not exist in 64-bit mode, so
# test-helpers compares cpu/helper-arith.c with this 32-bit host program
# (path in $BCD_ORACLE, default tests/unit/bcd-oracle).  Its source sits in
# a subdirectory so that the tests/unit/*.c wildcard does not link it into
# every unit test.
CHECK_PREREQS += tests/unit/bcd-oracle
CLEAN_FILES += tests/unit/bcd-oracle

tests/unit/bcd-oracle: tests/unit/bcd/bcd-oracle.c
	$(CC) -m32 -O1 -o $@ $<
