/*
 * The native side of the differential test: a 32-bit Linux program (gcc
 * -m32, tests/fuzz/fuzz.mk) that runs the generated programs on the host
 * CPU.  It maps the code, data and stack areas at the addresses the guest
 * uses (fuzz.h), and reads programs from stdin / writes FuzzStates to
 * stdout (the protocol in fuzz.h) until end of input.
 *
 * A program ends with hlt; here that byte becomes `jmp [exit_addr]`, a
 * jump to fuzz_exit, which stores every register and the flags.  No
 * instruction of the program changes after that point, and the jump
 * touches neither the stack nor the flags.  fuzz_enter/fuzz_exit keep
 * their own stack in the control page, so the guest stack area holds only
 * what the program wrote.
 *
 * A fault (#DE from a divide, or a generator bug) arrives as a signal,
 * handled on an alternate stack; the handler takes the registers from the
 * signal context and siglongjmps back.  The jmp_buf is found through the
 * control page (a fixed address), not a file-scope variable.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "fuzz.h"

/* The control page; the asm below uses these offsets. */
typedef struct Ctl {
    uint32_t in_regs[FR_NREGS];  /* 0 */
    uint32_t in_eflags;          /* 32 */
    uint32_t entry;              /* 36 */
    uint32_t out_regs[FR_NREGS]; /* 40 */
    uint32_t out_eflags;         /* 72 */
    uint32_t host_esp;           /* 76 */
    uint32_t exit_addr;          /* 80 */
    sigjmp_buf *env;
    uint32_t fault_status, fault_vector, fault_eip;
    uint32_t fault_regs[FR_NREGS];
    uint32_t fault_eflags;
} Ctl;

#define CTL_ABS 0x00b00000
#define CTL_STACK_TOP 0x00b01000
_Static_assert(CTL_ABS == FUZZ_CTL_ADDR, "CTL_ABS");
_Static_assert(CTL_STACK_TOP == FUZZ_CTL_ADDR + FUZZ_CTL_SIZE, "ctl stack");
_Static_assert(offsetof(Ctl, in_eflags) == 32, "in_eflags");
_Static_assert(offsetof(Ctl, entry) == 36, "entry");
_Static_assert(offsetof(Ctl, out_regs) == 40, "out_regs");
_Static_assert(offsetof(Ctl, out_eflags) == 72, "out_eflags");
_Static_assert(offsetof(Ctl, host_esp) == 76, "host_esp");
_Static_assert(offsetof(Ctl, exit_addr) == 80, "exit_addr");
_Static_assert(sizeof(Ctl) < 1024, "ctl stack room");

#define S_(x) #x
#define S(x) S_(x)
#define AT(off) S(CTL_ABS) "+" #off

void fuzz_enter(void);
void fuzz_exit(void);

/* Save the host's callee-saved registers, load the program's state, run
 * it; fuzz_exit returns to fuzz_enter's caller. */
__asm__(".text\n"
        ".globl fuzz_enter\n"
        "fuzz_enter:\n"
        "    push %ebp\n"
        "    push %ebx\n"
        "    push %esi\n"
        "    push %edi\n"
        "    mov %esp, " AT(76) "\n"
        "    mov $" S(CTL_STACK_TOP) ", %esp\n"
        "    pushl " AT(32) "\n"
        "    popfl\n"
        "    mov " AT(0) ", %eax\n"
        "    mov " AT(4) ", %ecx\n"
        "    mov " AT(8) ", %edx\n"
        "    mov " AT(12) ", %ebx\n"
        "    mov " AT(20) ", %ebp\n"
        "    mov " AT(24) ", %esi\n"
        "    mov " AT(28) ", %edi\n"
        "    mov " AT(16) ", %esp\n"
        "    jmp *" AT(36) "\n"
        ".globl fuzz_exit\n"
        "fuzz_exit:\n"
        "    mov %eax, " AT(40) "\n"
        "    mov %ecx, " AT(44) "\n"
        "    mov %edx, " AT(48) "\n"
        "    mov %ebx, " AT(52) "\n"
        "    mov %esp, " AT(56) "\n"
        "    mov %ebp, " AT(60) "\n"
        "    mov %esi, " AT(64) "\n"
        "    mov %edi, " AT(68) "\n"
        "    mov $" S(CTL_STACK_TOP) ", %esp\n"
        "    pushfl\n"
        "    popl " AT(72) "\n"
        "    cld\n"
        "    mov " AT(76) ", %esp\n"
        "    pop %edi\n"
        "    pop %esi\n"
        "    pop %ebx\n"
        "    pop %ebp\n"
        "    ret\n");

static void on_signal(int sig, siginfo_t *si, void *uc_)
{
    Ctl *ctl = (Ctl *)CTL_ABS;
    ucontext_t *uc = uc_;
    greg_t *gr = uc->uc_mcontext.gregs;

    (void)si;
    ctl->fault_status = sig == SIGALRM ? FUZZ_TIMEOUT : FUZZ_FAULT;
    ctl->fault_vector = sig == SIGALRM ? 0 : (uint32_t)gr[REG_TRAPNO];
    ctl->fault_eip = gr[REG_EIP];
    ctl->fault_regs[FR_EAX] = gr[REG_EAX];
    ctl->fault_regs[FR_ECX] = gr[REG_ECX];
    ctl->fault_regs[FR_EDX] = gr[REG_EDX];
    ctl->fault_regs[FR_EBX] = gr[REG_EBX];
    ctl->fault_regs[FR_ESP] = gr[REG_UESP];
    ctl->fault_regs[FR_EBP] = gr[REG_EBP];
    ctl->fault_regs[FR_ESI] = gr[REG_ESI];
    ctl->fault_regs[FR_EDI] = gr[REG_EDI];
    ctl->fault_eflags = gr[REG_EFL];
    siglongjmp(*ctl->env, 1);
}

static void *map_fixed(uint32_t addr, uint32_t size, int prot)
{
    void *p = mmap((void *)(uintptr_t)addr, size, prot,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

    if (p != (void *)(uintptr_t)addr) {
        fprintf(stderr, "native32: cannot map %#x+%#x\n", addr, size);
        exit(2);
    }
    return p;
}

static int read_all(void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = read(0, p, len);

        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= n;
    }
    return 0;
}

static int write_all(const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(1, p, len);

        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= n;
    }
    return 0;
}

static void setup_signals(void)
{
    static const int sigs[] = { SIGSEGV, SIGFPE, SIGILL, SIGBUS, SIGTRAP,
                                SIGALRM };
    stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536 };
    struct sigaction sa;

    if (!ss.ss_sp || sigaltstack(&ss, NULL) != 0) {
        perror("native32: sigaltstack");
        exit(2);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        sigaction(sigs[i], &sa, NULL);
    }
}

int main(void)
{
    uint8_t *code = map_fixed(FUZZ_CODE_ADDR, FUZZ_CODE_SIZE,
                              PROT_READ | PROT_WRITE | PROT_EXEC);
    uint8_t *data = map_fixed(FUZZ_DATA_ADDR, FUZZ_DATA_SIZE,
                              PROT_READ | PROT_WRITE);
    uint8_t *stack = map_fixed(FUZZ_STACK_ADDR, FUZZ_STACK_SIZE,
                               PROT_READ | PROT_WRITE);
    Ctl *ctl = map_fixed(FUZZ_CTL_ADDR, FUZZ_CTL_SIZE,
                         PROT_READ | PROT_WRITE);
    FuzzState *out = malloc(sizeof(*out));
    sigjmp_buf env;
    FuzzReq req;

    if (!out) {
        return 2;
    }
    setup_signals();
    ctl->env = &env;
    ctl->exit_addr = (uint32_t)(uintptr_t)fuzz_exit;
    while (read_all(&req, sizeof(req)) == 0) {
        uint8_t *prog;
        uint32_t j;

        if (req.magic != FUZZ_REQ_MAGIC || req.code_len < 1 ||
            req.code_addr < FUZZ_CODE_ADDR ||
            req.code_addr - FUZZ_CODE_ADDR + req.code_len >
                FUZZ_CODE_SIZE - 8) {
            fprintf(stderr, "native32: bad request\n");
            return 2;
        }
        prog = code + (req.code_addr - FUZZ_CODE_ADDR);
        if (read_all(prog, req.code_len) || read_all(data, FUZZ_DATA_SIZE) ||
            read_all(stack, FUZZ_STACK_SIZE)) {
            return 2;
        }
        /* The final hlt becomes jmp [exit_addr] (FF /4, disp32). */
        j = req.code_len - 1;
        prog[j] = 0xff;
        prog[j + 1] = 0x25;
        *(uint32_t *)(prog + j + 2) = FUZZ_CTL_ADDR + offsetof(Ctl,
                                                               exit_addr);
        ctl->entry = req.code_addr;
        memcpy(ctl->in_regs, req.regs, sizeof(req.regs));
        ctl->in_eflags = (req.eflags & FUZZ_FLAGS_CMP) | 2;
        memset(out, 0, sizeof(*out));
        if (sigsetjmp(env, 1) == 0) {
            alarm(5);
            fuzz_enter();
            alarm(0);
            out->status = FUZZ_OK;
            out->eip = req.code_addr + req.code_len;
            memcpy(out->regs, ctl->out_regs, sizeof(out->regs));
            out->eflags = ctl->out_eflags;
        } else {
            alarm(0);
            out->status = ctl->fault_status;
            out->vector = ctl->fault_vector;
            out->eip = ctl->fault_eip;
            memcpy(out->regs, ctl->fault_regs, sizeof(out->regs));
            out->eflags = ctl->fault_eflags;
        }
        memcpy(out->data, data, FUZZ_DATA_SIZE);
        memcpy(out->stack, stack, FUZZ_STACK_SIZE);
        if (write_all(out, sizeof(*out))) {
            return 2;
        }
    }
    return 0;
}
