# Recording the references of tests/refs/ (README.md there), included by
# the top Makefile:  -include tests/refs/refs.mk
#
#   make record-refs [RECORD="guests bcd fuzz bench"] [I386_RUNNER=qemu-i386]
#                    [IMPORT=DIR IMPORT_WHAT="how DIR was recorded"]
#
# On a host that runs i386 binaries the -m32 programs are the oracle; on
# one that cannot, I386_RUNNER names a stand-in (qemu-i386).  Never
# softvisor: a reference it made would prove nothing.

RECORD ?=

record-refs: guests $(ORACLE_BCD32) $(BCD_RECORD) $(FUZZ_BINS) $(FUZZ_RECORD) \
		bench-guests
	I386_RUNNER="$(I386_RUNNER)" IMPORT="$(IMPORT)" \
		IMPORT_WHAT="$(IMPORT_WHAT)" sh tests/refs/record.sh $(RECORD)

.PHONY: record-refs
