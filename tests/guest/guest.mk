# Guest test programs (tests/guest/), included by the top Makefile.
#
# Every tests/guest/progs/NAME.c becomes
#   tests/guest/build/NAME.elf      multiboot guest for softvisor -kernel
#   tests/guest/build/NAME.native   the same object as a Linux -m32 program
# Each .elf is checked by scan-isa (no x87/MMX/SSE/AVX/3DNow!) before it
# is kept.  tests/guest/progs-fault/ holds guests that must fault; they
# have no native twin and go to tests/guest/build/fault/.
#
# Guests never use the top CFLAGS (host flags); the host tool scan-isa does.

GUEST_DIR := tests/guest
GUEST_BUILD := $(GUEST_DIR)/build
GUEST_CC ?= $(CC)

# No FPU, MMX or SSE code: the guest CPU may have none.  No PIC, no stack
# protector, no CET notes: nothing the freestanding runtime cannot back.
# -fno-tree-loop-distribute-patterns keeps memset() from calling memset().
GUEST_CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g \
	-Wall -Wextra -Wno-unused-parameter \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns \
	-mno-80387 -mno-mmx -mno-sse -mno-3dnow -mgeneral-regs-only \
	-I$(GUEST_DIR)/lib
GUEST_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,-z,max-page-size=0x1000
GUEST_LDSCRIPT := $(GUEST_DIR)/lib/guest.ld

SCAN_ISA := $(GUEST_BUILD)/scan-isa
SCAN_ISA_CFLAGS := $(shell pkg-config --cflags capstone 2>/dev/null)
SCAN_ISA_LIBS := $(or $(shell pkg-config --libs capstone 2>/dev/null), \
	-lcapstone)

GUEST_PROGS := $(sort $(basename $(notdir $(wildcard $(GUEST_DIR)/progs/*.c))))
GUEST_FAULTS := $(sort $(basename $(notdir \
	$(wildcard $(GUEST_DIR)/progs-fault/*.c $(GUEST_DIR)/progs-fault/*.S))))

# The runtime: common objects, plus one start file and platform layer each
# for the guest and the native link.
GUEST_LIB_COMMON := $(addprefix $(GUEST_BUILD)/lib/, \
	rt.o format.o string.o divdi3.o)
GUEST_LIB_ELF := $(GUEST_BUILD)/lib/crt0.o $(GUEST_BUILD)/lib/platform-guest.o \
	$(GUEST_LIB_COMMON)
GUEST_LIB_NATIVE := $(GUEST_BUILD)/lib/crt0-native.o \
	$(GUEST_BUILD)/lib/platform-native.o $(GUEST_LIB_COMMON)
GUEST_LIB_OBJS := $(sort $(GUEST_LIB_ELF) $(GUEST_LIB_NATIVE))

GUEST_PROG_OBJS := $(GUEST_PROGS:%=$(GUEST_BUILD)/%.o)
GUEST_ELFS := $(GUEST_PROGS:%=$(GUEST_BUILD)/%.elf)
GUEST_NATIVES := $(GUEST_PROGS:%=$(GUEST_BUILD)/%.native)
GUEST_FAULT_C := $(basename $(notdir $(wildcard $(GUEST_DIR)/progs-fault/*.c)))
GUEST_FAULT_S := $(basename $(notdir $(wildcard $(GUEST_DIR)/progs-fault/*.S)))
GUEST_FAULT_OBJS := $(GUEST_FAULTS:%=$(GUEST_BUILD)/fault/%.o)
GUEST_FAULT_ELFS := $(GUEST_FAULTS:%=$(GUEST_BUILD)/fault/%.elf)
# hello with a multiboot header whose checksum is wrong: a loader must
# refuse it (check-bad-input.sh).
GUEST_BADSUM_ELF := $(GUEST_BUILD)/fault/bad-checksum.elf

GUEST_ALL_OBJS := $(GUEST_LIB_OBJS) $(GUEST_BUILD)/lib/crt0-badsum.o \
	$(GUEST_PROG_OBJS) $(GUEST_FAULT_OBJS)

guests: $(GUEST_ELFS) $(GUEST_NATIVES) $(GUEST_FAULT_ELFS) $(GUEST_BADSUM_ELF)

CHECK_PREREQS += guests
CLEAN_FILES += $(GUEST_BUILD)/*.o $(GUEST_BUILD)/*.d $(GUEST_BUILD)/*.elf \
	$(GUEST_BUILD)/*.native $(GUEST_BUILD)/*.tmp $(GUEST_BUILD)/scan-isa \
	$(GUEST_BUILD)/lib/*.o $(GUEST_BUILD)/lib/*.d \
	$(GUEST_BUILD)/fault/*.o $(GUEST_BUILD)/fault/*.d \
	$(GUEST_BUILD)/fault/*.elf $(GUEST_BUILD)/fault/*.tmp

# ---- compiling ----

# The flags live here, so objects are rebuilt when this file changes.
GUEST_MK := $(GUEST_DIR)/guest.mk

$(GUEST_BUILD)/lib/rt.o $(GUEST_BUILD)/lib/format.o \
$(GUEST_BUILD)/lib/string.o $(GUEST_BUILD)/lib/divdi3.o \
$(GUEST_BUILD)/lib/platform-guest.o $(GUEST_BUILD)/lib/platform-native.o: \
		$(GUEST_BUILD)/lib/%.o: $(GUEST_DIR)/lib/%.c $(GUEST_MK)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

$(GUEST_BUILD)/lib/crt0.o $(GUEST_BUILD)/lib/crt0-native.o: \
		$(GUEST_BUILD)/lib/%.o: $(GUEST_DIR)/lib/%.S $(GUEST_MK)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

$(GUEST_BUILD)/lib/crt0-badsum.o: $(GUEST_DIR)/lib/crt0.S $(GUEST_MK)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -DMB_BAD_CHECKSUM -MMD -MP -c -o $@ $<

$(GUEST_PROG_OBJS): $(GUEST_BUILD)/%.o: $(GUEST_DIR)/progs/%.c $(GUEST_MK)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

$(GUEST_FAULT_C:%=$(GUEST_BUILD)/fault/%.o): \
		$(GUEST_BUILD)/fault/%.o: $(GUEST_DIR)/progs-fault/%.c $(GUEST_MK)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

$(GUEST_FAULT_S:%=$(GUEST_BUILD)/fault/%.o): \
		$(GUEST_BUILD)/fault/%.o: $(GUEST_DIR)/progs-fault/%.S $(GUEST_MK)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

# ---- linking ----

# Link to a temporary name and keep the image only if scan-isa accepts it.
$(GUEST_ELFS) $(GUEST_FAULT_ELFS): $(GUEST_BUILD)/%.elf: $(GUEST_BUILD)/%.o \
		$(GUEST_LIB_ELF) $(GUEST_LDSCRIPT) $(SCAN_ISA)
	$(GUEST_CC) $(GUEST_LDFLAGS) -T $(GUEST_LDSCRIPT) -o $@.tmp \
		$(GUEST_LIB_ELF) $<
	$(SCAN_ISA) $@.tmp || { rm -f $@.tmp; exit 1; }
	mv -f $@.tmp $@

$(GUEST_BADSUM_ELF): $(GUEST_BUILD)/hello.o $(GUEST_BUILD)/lib/crt0-badsum.o \
		$(GUEST_LIB_ELF) $(GUEST_LDSCRIPT) $(SCAN_ISA)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_LDFLAGS) -T $(GUEST_LDSCRIPT) -o $@.tmp \
		$(GUEST_BUILD)/lib/crt0-badsum.o \
		$(filter-out %/crt0.o,$(GUEST_LIB_ELF)) $<
	$(SCAN_ISA) $@.tmp || { rm -f $@.tmp; exit 1; }
	mv -f $@.tmp $@

$(GUEST_NATIVES): $(GUEST_BUILD)/%.native: $(GUEST_BUILD)/%.o \
		$(GUEST_LIB_NATIVE)
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(GUEST_LIB_NATIVE) $<

# ---- the ISA scanner (a host program) ----

$(SCAN_ISA): $(GUEST_DIR)/scan-isa.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SCAN_ISA_CFLAGS) $(LDFLAGS) -o $@ $< $(SCAN_ISA_LIBS)

-include $(GUEST_ALL_OBJS:.o=.d)

.PHONY: guests
