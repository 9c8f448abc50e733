# The random-program differential test (tests/fuzz/).  Included by the top
# Makefile:  -include tests/fuzz/fuzz.mk
#
# test-fuzz-diff links against libsoftvisor.a like the unit tests;
# native32 is its 32-bit native runner and takes no flags from config.mk
# (those are for 64-bit objects).
#
#   make fuzz-diff [N=100000] [SEED=0x...]    as many programs as asked

FUZZ_GEN_OBJS := tests/fuzz/gen.o tests/fuzz/gen-insns.o tests/fuzz/gen-misc.o \
	tests/fuzz/fuzz-refs.o tests/fuzz/run-native.o
FUZZ_OBJS := tests/fuzz/test-fuzz-diff.o tests/fuzz/run.o $(FUZZ_GEN_OBJS) \
	tests/unit/i386-oracle.o
FUZZ_BINS := tests/fuzz/test-fuzz-diff tests/fuzz/native32
# Records tests/refs/fuzz-SEED.txt from native32 (make record-refs); it
# needs nothing but libc.
FUZZ_RECORD := tests/fuzz/fuzz-record

tests/fuzz/test-fuzz-diff: $(FUZZ_OBJS) libsoftvisor.a
	$(CC) $(LDFLAGS) -o $@ $(FUZZ_OBJS) libsoftvisor.a $(LIBS)

$(FUZZ_RECORD): tests/fuzz/fuzz-record.o $(FUZZ_GEN_OBJS)
	$(CC) $(LDFLAGS) -o $@ tests/fuzz/fuzz-record.o $(FUZZ_GEN_OBJS)

# No C library (native32.c says why): a bare gcc -m32 builds it.
NATIVE32_CFLAGS := -m32 -std=gnu11 -O2 -Wall -Wextra -ffreestanding \
	-fno-pie -no-pie -nostdlib -static -fno-stack-protector \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -Wl,--build-id=none \
	-Wl,-z,noexecstack

tests/fuzz/native32: tests/fuzz/native32.c tests/fuzz/fuzz.h
	$(CC) $(NATIVE32_CFLAGS) -o $@ $<

CHECK_PREREQS += $(FUZZ_BINS)
CLEAN_FILES += $(FUZZ_BINS) $(FUZZ_OBJS) $(FUZZ_RECORD) tests/fuzz/fuzz-record.o


fuzz-diff: $(FUZZ_BINS)
	tests/fuzz/test-fuzz-diff -n $(or $(N),100000) $(if $(SEED),-s $(SEED)) -v

.PHONY: fuzz-diff
