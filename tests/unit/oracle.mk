# The ALU oracle test's 32-bit helper (tests/unit/test-alu-oracle.c runs the
# BCD instructions, invalid in 64-bit mode, through it).  Included by the
# top Makefile:  -include tests/unit/oracle.mk
# The helper takes no flags from config.mk: those are for 64-bit objects.

ORACLE_BCD32 := tests/unit/oracle-bcd/bcd32

$(ORACLE_BCD32): tests/unit/oracle-bcd/bcd32.c tests/unit/oracle-bcd/bcd.h
	$(CC) -m32 -std=gnu11 -O2 -Wall -Wextra -o $@ $<

# The test binary includes its helpers from tests/unit/oracle/ and
# tests/unit/oracle-bcd/.
tests/unit/test-alu-oracle.o: $(wildcard tests/unit/oracle/*.c.inc \
	tests/unit/oracle/*.h) tests/unit/oracle-bcd/bcd.h

# Records the BCD table of tests/refs/ through bcd32 (make record-refs).
BCD_RECORD := tests/unit/oracle-bcd/bcd-record
BCD_RECORD_OBJS := tests/unit/oracle-bcd/bcd-record.o tests/unit/bcd-host.o \
	tests/unit/i386-oracle.o

$(BCD_RECORD): $(BCD_RECORD_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(BCD_RECORD_OBJS) $(LIBS)

CHECK_PREREQS += $(ORACLE_BCD32)
CLEAN_FILES += $(ORACLE_BCD32) $(BCD_RECORD) $(BCD_RECORD_OBJS)
