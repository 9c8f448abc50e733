/*
 * Guest disassembly through Capstone.  Capstone is never used to decode
 * for execution (DESIGN.md); only to show code to people.
 */
#include <inttypes.h>
#include <stdlib.h>

#include <capstone/capstone.h>

#include "memory/softmmu.h"
#include "translate/disas.h"

static void disas_bytes(const uint8_t *code, size_t len, uint32_t addr,
                        uint32_t cs_base, bool code32, int max, FILE *out)
{
    csh handle;
    cs_insn *ins;
    size_t count;

    if (cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &handle) !=
        CS_ERR_OK) {
        fprintf(out, "(capstone unavailable)\n");
        return;
    }
    count =
        cs_disasm(handle, code, len, addr - cs_base, max > 0 ? max : 0, &ins);
    for (size_t i = 0; i < count; i++) {
        fprintf(out, "0x%08" PRIx64 ":  %-8s %s\n", ins[i].address + cs_base,
                ins[i].mnemonic, ins[i].op_str);
    }
    if (count) {
        cs_free(ins, count);
    } else if (len) {
        fprintf(out, "0x%08" PRIx32 ":  (bad)\n", addr);
    }
    cs_close(&handle);
}

/* Read guest code as the CPU fetches it (bytes outside every region read
 * as 0xff). */
static uint8_t *fetch_code(CPUState *cpu, uint32_t addr, uint32_t len)
{
    uint8_t *code = malloc(len ? len : 1);
    if (!code) {
        return NULL;
    }
    for (uint32_t i = 0; i < len; i++) {
        code[i] = mmu_fetch_byte(cpu, addr + i);
    }
    return code;
}

void disas_log_block(CPUState *cpu, const TranslationBlock *tb, FILE *log)
{
    uint8_t *code = fetch_code(cpu, tb->pc, tb->size);
    if (!code) {
        return;
    }
    fprintf(log, "----------------\nIN: \n");
    disas_bytes(code, tb->size, tb->pc, tb->cs_base, tb->flags & HF_CS32, 0,
                log);
    fprintf(log, "\n");
    free(code);
}

void disas_guest(CPUState *cpu, uint32_t addr, int count, bool code32,
                 FILE *out)
{
    uint32_t len = count * 15u;
    uint8_t *code = fetch_code(cpu, addr, len);
    if (code) {
        disas_bytes(code, len, addr, cpu->seg[R_CS].base, code32, count, out);
        free(code);
    }
}

void disas_log_host(const uint8_t *code, size_t len, uintptr_t addr, FILE *log)
{
    csh handle;
    cs_insn *ins;
    size_t count;

    fprintf(log, "OUT: [size=%zu]\n", len);
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) {
        return;
    }
    count = cs_disasm(handle, code, len, addr, 0, &ins);
    for (size_t i = 0; i < count; i++) {
        fprintf(log, "0x%016" PRIx64 ":  %-8s %s\n", ins[i].address,
                ins[i].mnemonic, ins[i].op_str);
    }
    if (count) {
        cs_free(ins, count);
    }
    cs_close(&handle);
    fprintf(log, "\n");
}
