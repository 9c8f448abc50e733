# The VMM tests' guest (tests/vmm/), included by the top Makefile.  Built
# like tests/guest's programs, with their runtime and flags.
VMM_TEST_DIR := tests/vmm
VMM_TEST_ELF := $(VMM_TEST_DIR)/build/counter.elf

$(VMM_TEST_DIR)/build/counter.o: $(VMM_TEST_DIR)/counter.c \
		$(VMM_TEST_DIR)/vmm.mk $(GUEST_MK)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

$(VMM_TEST_ELF): $(VMM_TEST_DIR)/build/counter.o $(GUEST_LIB_ELF) \
		$(GUEST_LDSCRIPT) $(SCAN_ISA)
	$(GUEST_CC) $(GUEST_LDFLAGS) -T $(GUEST_LDSCRIPT) -o $@.tmp \
		$(GUEST_LIB_ELF) $<
	$(SCAN_ISA) $@.tmp || { rm -f $@.tmp; exit 1; }
	mv -f $@.tmp $@

vmm-guests: $(VMM_TEST_ELF)

CHECK_PREREQS += vmm-guests
CLEAN_FILES += $(VMM_TEST_DIR)/build/*.o $(VMM_TEST_DIR)/build/*.d \
	$(VMM_TEST_DIR)/build/*.elf $(VMM_TEST_DIR)/build/*.tmp

-include $(VMM_TEST_DIR)/build/counter.d

.PHONY: vmm-guests
