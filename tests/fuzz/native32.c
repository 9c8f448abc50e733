/*
 * The native side of the differential test: a 32-bit Linux program (gcc
 * -m32, tests/fuzz/fuzz.mk) that runs the generated programs on the host
 * CPU.  It maps the code, data and stack areas at the addresses the guest
 * uses (fuzz.h), and reads programs from stdin / writes FuzzStates to
 * stdout (the protocol in fuzz.h) until end of input.
 *
 * It uses no C library: system calls go through int $0x80, so that it
 * builds with a bare gcc -m32 (no libc6-dev-i386) and runs on any host
 * that executes i386 code, or under qemu-i386 (tests/oracle.sh), and the
 * references of tests/refs/ can be recorded wherever silicon is.
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
 * signal context and jumps back to the loop through a jump buffer in the
 * control page (a fixed address, not a file-scope variable).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

/* ---- Linux i386 system calls (arch/x86/entry/syscalls/syscall_32.tbl) ---- */

#define NR_exit_group 252
#define NR_read 3
#define NR_write 4
#define NR_alarm 27
#define NR_mmap 90 /* old_mmap: one pointer to the six arguments */
#define NR_rt_sigreturn 173
#define NR_rt_sigaction 174
#define NR_sigaltstack 186

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11
#define SIGALRM 14
#define SI_KERNEL 0x80
#define SA_SIGINFO 0x00000004u
#define SA_ONSTACK 0x08000000u
#define SA_RESTORER 0x04000000u
/* The handler leaves by a jump, not sigreturn: with SA_NODEFER its signal
 * is not left blocked (a blocked fault would kill the process). */
#define SA_NODEFER 0x40000000u

static long sys3(long nr, long a, long b, long c)
{
    long r;

    __asm__ volatile("int $0x80"
                     : "=a"(r)
                     : "a"(nr), "b"(a), "c"(b), "d"(c)
                     : "memory");
    return r;
}

static long sys4(long nr, long a, long b, long c, long d)
{
    long r;

    __asm__ volatile("int $0x80"
                     : "=a"(r)
                     : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
                     : "memory");
    return r;
}

/* The kernel's struct sigaction on i386 (not the C library's). */
typedef struct KSigaction {
    void (*handler)(int, void *, void *);
    uint32_t flags;
    void (*restorer)(void);
    uint32_t mask[2];
} KSigaction;

/* The kernel's siginfo (first fields) and ucontext with struct sigcontext
 * (arch/x86/include/uapi/asm/sigcontext.h, the 32-bit layout). */
typedef struct KSiginfo {
    int32_t signo, err, code;
} KSiginfo;

typedef struct KSigcontext {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t trapno, err, eip, cs, eflags, esp_at_signal, ss;
} KSigcontext;

typedef struct KUcontext {
    uint32_t flags, link;
    uint32_t ss_sp, ss_flags, ss_size;
    KSigcontext mc;
} KUcontext;

/* gcc may call these for copies and clears. */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;

    while (n--) {
        *dp++ = *sp++;
    }
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *dp = d;

    while (n--) {
        *dp++ = (uint8_t)c;
    }
    return d;
}

static size_t str_len(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

static void die(const char *msg)
{
    sys3(NR_write, 2, (long)"native32: ", 10);
    sys3(NR_write, 2, (long)msg, (long)str_len(msg));
    sys3(NR_write, 2, (long)"\n", 1);
    sys3(NR_exit_group, 2, 0, 0);
    for (;;) {
    }
}

/* ---- the control page; the asm below uses these offsets ---- */

typedef struct Ctl {
    uint32_t in_regs[FR_NREGS];  /* 0 */
    uint32_t in_eflags;          /* 32 */
    uint32_t entry;              /* 36 */
    uint32_t out_regs[FR_NREGS]; /* 40 */
    uint32_t out_eflags;         /* 72 */
    uint32_t host_esp;           /* 76 */
    uint32_t exit_addr;          /* 80 */
    uint32_t env[6];             /* 84: ebx esi edi ebp esp eip */
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
_Static_assert(offsetof(Ctl, env) == 84, "env");
_Static_assert(sizeof(Ctl) < 1024, "ctl stack room");

#define S_(x) #x
#define S(x) S_(x)
#define AT(off) S(CTL_ABS) "+" #off

void _start(void);
void fuzz_enter(void);
void fuzz_exit(void);
/* ctl_setjmp() returns 0, then 1 when ctl_longjmp() comes back to it. */
int ctl_setjmp(void) __attribute__((returns_twice));
void ctl_longjmp(void) __attribute__((noreturn));
void on_signal_entry(int sig, void *si, void *uc);
void signal_restorer(void);
int main(void);

/* The entry point: no C runtime to set up; ESP is 16-aligned for main. */
/* clang-format off */
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "    xor %ebp, %ebp\n"
        "    and $-16, %esp\n"
        "    call main\n"
        "    mov %eax, %ebx\n"
        "    mov $" S(NR_exit_group) ", %eax\n"
        "    int $0x80\n"
                                     "    hlt\n");
/* clang-format on */

/* Save the host's callee-saved registers, load the program's state, run
 * it; fuzz_exit returns to fuzz_enter's caller. */
/* clang-format off */
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

/* A jump buffer in the control page, for the signal handler's way back. */
__asm__(".text\n"
        ".globl ctl_setjmp\n"
        "ctl_setjmp:\n"
        "    mov %ebx, " AT(84) "\n"
        "    mov %esi, " AT(88) "\n"
        "    mov %edi, " AT(92) "\n"
        "    mov %ebp, " AT(96) "\n"
        "    lea 4(%esp), %ecx\n"
        "    mov %ecx, " AT(100) "\n"
        "    mov (%esp), %ecx\n"
        "    mov %ecx, " AT(104) "\n"
        "    xor %eax, %eax\n"
        "    ret\n"
        ".globl ctl_longjmp\n"
        "ctl_longjmp:\n"
        "    mov " AT(84) ", %ebx\n"
        "    mov " AT(88) ", %esi\n"
        "    mov " AT(92) ", %edi\n"
        "    mov " AT(96) ", %ebp\n"
        "    mov " AT(100) ", %esp\n"
        "    mov $1, %eax\n"
        "    jmp *" AT(104) "\n");
/* clang-format on */

/*
 * The handler's entry: the i386 ABI wants DF clear at a call, and Linux
 * clears it before a handler runs, but qemu-i386 7.2 delivers the signal
 * with the program's DF (many programs run std), and C code would then
 * copy backwards.  The restorer is never reached (the handler leaves by
 * ctl_longjmp); the kernel wants one all the same.
 */
/* clang-format off */
__asm__(".text\n"
        ".globl on_signal_entry\n"
        "on_signal_entry:\n"
        "    cld\n"
        "    jmp on_signal\n"
        ".globl signal_restorer\n"
        "signal_restorer:\n"
        "    mov $" S(NR_rt_sigreturn) ", %eax\n"
        "    int $0x80\n");
/* clang-format on */

/*
 * The exception vector of a fault.  Linux reports it in the trap number;
 * qemu-i386 leaves that at -1, so the signal names it then: the programs
 * raise only #DE, #UD and #GP (tests/fuzz/gen-misc.c), and #GP comes as
 * SIGSEGV with SI_KERNEL.
 */
static uint32_t fault_vector(int sig, const KSiginfo *si, uint32_t trapno)
{
    if (trapno < 32) {
        return trapno;
    }
    switch (sig) {
    case SIGFPE: return 0;
    case SIGILL: return 6;
    case SIGTRAP: return 3;
    case SIGSEGV: return si->code == SI_KERNEL ? 13 : 14;
    default: return 0xff; /* compared, so it fails */
    }
}

/* Called by on_signal_entry with DF clear. */
void on_signal(int sig, void *si_, void *uc_);

void on_signal(int sig, void *si_, void *uc_)
{
    Ctl *ctl = (Ctl *)CTL_ABS;
    const KSigcontext *mc = &((const KUcontext *)uc_)->mc;

    ctl->fault_status = sig == SIGALRM ? FUZZ_TIMEOUT : FUZZ_FAULT;
    ctl->fault_vector = sig == SIGALRM ? 0 : fault_vector(sig, si_, mc->trapno);
    ctl->fault_eip = mc->eip;
    ctl->fault_regs[FR_EAX] = mc->eax;
    ctl->fault_regs[FR_ECX] = mc->ecx;
    ctl->fault_regs[FR_EDX] = mc->edx;
    ctl->fault_regs[FR_EBX] = mc->ebx;
    ctl->fault_regs[FR_ESP] = mc->esp_at_signal;
    ctl->fault_regs[FR_EBP] = mc->ebp;
    ctl->fault_regs[FR_ESI] = mc->esi;
    ctl->fault_regs[FR_EDI] = mc->edi;
    ctl->fault_eflags = mc->eflags;
    ctl_longjmp();
}

static void *map_fixed(uint32_t addr, uint32_t size, int prot)
{
    uint32_t args[6] = {
        addr,
        size,
        (uint32_t)prot,
        MAP_PRIVATE | MAP_ANONYMOUS | (addr ? MAP_FIXED_NOREPLACE : 0),
        (uint32_t)-1,
        0};
    long p = sys3(NR_mmap, (long)args, 0, 0);

    if (addr ? (uint32_t)p != addr : (unsigned long)p > -4096ul) {
        die("cannot map the test areas");
    }
    return (void *)p;
}

static int read_all(void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        long n = sys3(NR_read, 0, (long)p, (long)len);

        if (n == -4) { /* EINTR */
            continue;
        }
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
        long n = sys3(NR_write, 1, (long)p, (long)len);

        if (n == -4) {
            continue;
        }
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
    static const int sigs[] = {SIGSEGV, SIGFPE,  SIGILL,
                               SIGBUS,  SIGTRAP, SIGALRM};
    uint32_t ss[3] = {
        (uint32_t)(uintptr_t)map_fixed(0, 65536, PROT_READ | PROT_WRITE), 0,
        65536};
    KSigaction sa = {
        .handler = on_signal_entry,
        .flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTORER,
        .restorer = signal_restorer,
    };

    if (sys3(NR_sigaltstack, (long)ss, 0, 0) != 0) {
        die("sigaltstack failed");
    }
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        if (sys4(NR_rt_sigaction, sigs[i], (long)&sa, 0, 8) != 0) {
            die("rt_sigaction failed");
        }
    }
}

int main(void)
{
    uint8_t *code = map_fixed(FUZZ_CODE_ADDR, FUZZ_CODE_SIZE,
                              PROT_READ | PROT_WRITE | PROT_EXEC);
    uint8_t *data =
        map_fixed(FUZZ_DATA_ADDR, FUZZ_DATA_SIZE, PROT_READ | PROT_WRITE);
    uint8_t *stack =
        map_fixed(FUZZ_STACK_ADDR, FUZZ_STACK_SIZE, PROT_READ | PROT_WRITE);
    Ctl *ctl = map_fixed(FUZZ_CTL_ADDR, FUZZ_CTL_SIZE, PROT_READ | PROT_WRITE);
    FuzzState *out = map_fixed(0, sizeof(FuzzState), PROT_READ | PROT_WRITE);
    FuzzReq req;

    setup_signals();
    ctl->exit_addr = (uint32_t)(uintptr_t)fuzz_exit;
    while (read_all(&req, sizeof(req)) == 0) {
        uint8_t *prog;
        uint32_t j;

        if (req.magic != FUZZ_REQ_MAGIC || req.code_len < 1 ||
            req.code_addr < FUZZ_CODE_ADDR ||
            req.code_addr - FUZZ_CODE_ADDR + req.code_len >
                FUZZ_CODE_SIZE - 8) {
            die("bad request");
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
        *(uint32_t *)(prog + j + 2) = FUZZ_CTL_ADDR + offsetof(Ctl, exit_addr);
        ctl->entry = req.code_addr;
        memcpy(ctl->in_regs, req.regs, sizeof(req.regs));
        ctl->in_eflags = (req.eflags & FUZZ_FLAGS_CMP) | 2;
        memset(out, 0, sizeof(*out));
        if (ctl_setjmp() == 0) {
            sys3(NR_alarm, 5, 0, 0);
            fuzz_enter();
            sys3(NR_alarm, 0, 0, 0);
            out->status = FUZZ_OK;
            out->eip = req.code_addr + req.code_len;
            memcpy(out->regs, ctl->out_regs, sizeof(out->regs));
            out->eflags = ctl->out_eflags;
        } else {
            sys3(NR_alarm, 0, 0, 0);
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
