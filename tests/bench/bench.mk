# Benchmark guests and the benchmark run (tests/bench/), included by the
# top Makefile after tests/guest/guest.mk, whose runtime, flags and ISA
# scanner these guests reuse: they are built exactly like the guest test
# programs, against tests/guest/lib.
#
# Every tests/bench/progs/NAME.c becomes
#   tests/bench/build/NAME.elf      multiboot guest (softvisor, QEMU -kernel)
#   tests/bench/build/NAME.native   the same object as a Linux -m32 program,
#                                   the reference for the checksum
#
#   make bench-guests       build them
#   make bench              build softvisor and them, run run-bench.sh
#                           (REPS, WORKLOADS, EMULATORS, OUT: see the script)
#
# BENCH_DEFS adds compiler flags, such as smaller repeat counts for runs
# under valgrind (docs/PERFORMANCE.md); give such builds their own
# BENCH_BUILD directory so the timed images stay as they are:
#   make bench-guests BENCH_BUILD=/tmp/bench-small BENCH_DEFS=-DSORT_ITERS=1

BENCH_DIR := tests/bench
BENCH_BUILD := $(BENCH_DIR)/build
BENCH_DEFS ?=

BENCH_PROGS := $(sort $(basename $(notdir $(wildcard $(BENCH_DIR)/progs/*.c))))
BENCH_OBJS := $(BENCH_PROGS:%=$(BENCH_BUILD)/%.o)
BENCH_ELFS := $(BENCH_PROGS:%=$(BENCH_BUILD)/%.elf)
BENCH_NATIVES := $(BENCH_PROGS:%=$(BENCH_BUILD)/%.native)

# The tests/guest flags (no FPU/MMX/SSE, freestanding, -O2) plus bench.h.
BENCH_CFLAGS = $(GUEST_CFLAGS) -I$(BENCH_DIR) $(BENCH_DEFS)

bench-guests: $(BENCH_ELFS) $(BENCH_NATIVES)

bench: softvisor bench-guests
	REPS="$(REPS)" WORKLOADS="$(WORKLOADS)" EMULATORS="$(EMULATORS)" \
		OUT="$(OUT)" bash $(BENCH_DIR)/run-bench.sh

CLEAN_FILES += $(BENCH_BUILD)/*.o $(BENCH_BUILD)/*.d $(BENCH_BUILD)/*.elf \
	$(BENCH_BUILD)/*.native $(BENCH_BUILD)/*.tmp

# The flags live here, so objects are rebuilt when this file changes.
$(BENCH_OBJS): $(BENCH_BUILD)/%.o: $(BENCH_DIR)/progs/%.c $(BENCH_DIR)/bench.h \
		$(BENCH_DIR)/bench.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(BENCH_CFLAGS) -MMD -MP -c -o $@ $<

# As in guest.mk: keep the image only if scan-isa accepts it.
$(BENCH_ELFS): $(BENCH_BUILD)/%.elf: $(BENCH_BUILD)/%.o $(GUEST_LIB_ELF) \
		$(GUEST_LDSCRIPT) $(SCAN_ISA)
	$(GUEST_CC) $(GUEST_LDFLAGS) -T $(GUEST_LDSCRIPT) -o $@.tmp \
		$(GUEST_LIB_ELF) $<
	$(SCAN_ISA) $@.tmp || { rm -f $@.tmp; exit 1; }
	mv -f $@.tmp $@

$(BENCH_NATIVES): $(BENCH_BUILD)/%.native: $(BENCH_BUILD)/%.o \
		$(GUEST_LIB_NATIVE)
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(GUEST_LIB_NATIVE) $<

-include $(BENCH_OBJS:.o=.d)

.PHONY: bench-guests bench
