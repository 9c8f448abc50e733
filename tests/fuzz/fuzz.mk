# The random-program differential test (tests/fuzz/).  Included by the top
# Makefile:  -include tests/fuzz/fuzz.mk
#
# test-fuzz-diff links against libsoftvisor.a like the unit tests;
# native32 is its 32-bit native runner and takes no flags from config.mk
# (those are for 64-bit objects).
#
#   make fuzz-diff [N=100000] [SEED=0x...]    as many programs as asked

FUZZ_OBJS := tests/fuzz/test-fuzz-diff.o tests/fuzz/gen.o \
	tests/fuzz/gen-insns.o tests/fuzz/gen-misc.o tests/fuzz/run.o
FUZZ_BINS := tests/fuzz/test-fuzz-diff tests/fuzz/native32

tests/fuzz/test-fuzz-diff: $(FUZZ_OBJS) libsoftvisor.a
	$(CC) $(LDFLAGS) -o $@ $(FUZZ_OBJS) libsoftvisor.a $(LIBS)

tests/fuzz/native32: tests/fuzz/native32.c tests/fuzz/fuzz.h
	$(CC) -m32 -std=gnu11 -O2 -fno-pie -no-pie -Wall -Wextra -o $@ $<

CHECK_PREREQS += $(FUZZ_BINS)
CLEAN_FILES += $(FUZZ_BINS) $(FUZZ_OBJS)


fuzz-diff: $(FUZZ_BINS)
	tests/fuzz/test-fuzz-diff -n $(or $(N),100000) $(if $(SEED),-s $(SEED)) -v

.PHONY: fuzz-diff
