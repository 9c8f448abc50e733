/*
 * bytecode: a small stack-machine interpreter, the kind of loop real
 * guests spend their time in: a dense switch (a jump table, so indirect
 * jumps through memory) and, for the same programs, a table of handler
 * functions (indirect calls).  Three programs: sum of primes by trial
 * division, Collatz chain lengths, recursive Fibonacci with CALL/RET.
 * Both dispatchers must agree with each other and with the same
 * computations written directly in C.
 */
#include "rt.h"

/*
 * Every opcode's effect, written once and expanded three times: into the
 * opcode numbers, the switch cases and the handler functions, so the two
 * dispatchers cannot drift apart.  TOS and NOS are the top two stack
 * slots; arithmetic wraps in uint32_t.
 */
#define TOS (vm->stack[vm->sp - 1])
#define NOS (vm->stack[vm->sp - 2])
#define PUSH(v) (vm->stack[vm->sp++] = (v))
#define POP() (vm->stack[--vm->sp])
#define BINOP(expr) (NOS = (int32_t)(expr), vm->sp--)
#define U(x) ((uint32_t)(x))

#define OPCODES(X)                                                          \
    X(HALT, vm->halted = 1)                                                 \
    X(PUSH, PUSH(operand(vm)))                                              \
    X(LOAD, PUSH(vm->vars[operand(vm)]))                                    \
    X(STORE, { int32_t v_ = operand(vm); vm->vars[v_] = POP(); })           \
    X(ADD, BINOP(U(NOS) + U(TOS)))                                          \
    X(SUB, BINOP(U(NOS) - U(TOS)))                                          \
    X(MUL, BINOP(U(NOS) * U(TOS)))                                          \
    X(DIV, BINOP(U(NOS) / U(TOS)))                                          \
    X(MOD, BINOP(U(NOS) % U(TOS)))                                          \
    X(AND, BINOP(NOS & TOS))                                                \
    X(OR, BINOP(NOS | TOS))                                                 \
    X(XOR, BINOP(NOS ^ TOS))                                                \
    X(SHL, BINOP(U(NOS) << (TOS & 31)))                                     \
    X(SHR, BINOP(U(NOS) >> (TOS & 31)))                                     \
    X(LT, BINOP(NOS < TOS))                                                 \
    X(EQ, BINOP(NOS == TOS))                                                \
    X(JMP, vm->pc = U(operand(vm)))                                         \
    X(JZ, { int32_t t_ = operand(vm); if (POP() == 0) vm->pc = U(t_); })    \
    X(JNZ, { int32_t t_ = operand(vm); if (POP() != 0) vm->pc = U(t_); })   \
    X(CALL, { int32_t t_ = operand(vm);                                     \
              vm->rstack[vm->rsp++] = vm->pc; vm->pc = U(t_); })            \
    X(RET, vm->pc = vm->rstack[--vm->rsp])                                  \
    X(DUP, { int32_t v_ = TOS; PUSH(v_); })                                 \
    X(DROP, vm->sp--)                                                       \
    X(SWAP, { int32_t v_ = TOS; TOS = NOS; NOS = v_; })                     \
    X(OVER, { int32_t v_ = NOS; PUSH(v_); })                                \
    X(INC, TOS++)                                                           \
    X(DEC, TOS--)                                                           \
    X(EMIT, vm->emitted = mix32(vm->emitted, U(POP())))

enum {
#define OP_ENUM(name, body) OP_##name,
    OPCODES(OP_ENUM)
#undef OP_ENUM
    OP_COUNT
};

/* Opcodes followed by a 32-bit little-endian operand. */
static int has_operand(int op)
{
    return op == OP_PUSH || op == OP_LOAD || op == OP_STORE ||
           op == OP_JMP || op == OP_JZ || op == OP_JNZ || op == OP_CALL;
}

/* ---- a tiny assembler with forward labels ---- */

#define CODE_MAX 512
#define LABELS 16

typedef struct Asm {
    uint8_t code[CODE_MAX];
    int len;
    int label_at[LABELS];
    int fixup_at[64];
    int fixup_label[64];
    int nfixups;
} Asm;

static void emit(Asm *a, int op)
{
    a->code[a->len++] = (uint8_t)op;
}

static void emit_imm(Asm *a, int op, int32_t imm)
{
    emit(a, op);
    for (int i = 0; i < 4; i++) {
        a->code[a->len++] = (uint8_t)((uint32_t)imm >> (8 * i));
    }
}

static void emit_jump(Asm *a, int op, int label)
{
    a->fixup_at[a->nfixups] = a->len + 1;
    a->fixup_label[a->nfixups++] = label;
    emit_imm(a, op, 0);
}

static void label(Asm *a, int l)
{
    a->label_at[l] = a->len;
}

static void link(Asm *a)
{
    for (int i = 0; i < a->nfixups; i++) {
        uint32_t t = (uint32_t)a->label_at[a->fixup_label[i]];
        for (int k = 0; k < 4; k++) {
            a->code[a->fixup_at[i] + k] = (uint8_t)(t >> (8 * k));
        }
    }
}

/* ---- the machine ---- */

typedef struct VM {
    const uint8_t *code;
    int32_t stack[256];
    int sp;
    int32_t vars[16];
    uint32_t rstack[128];
    int rsp;
    uint32_t pc;
    uint32_t emitted;   /* hash of every EMITted value */
    uint32_t steps;
    int halted;
} VM;

static int32_t operand(VM *vm)
{
    const uint8_t *p = vm->code + vm->pc;

    vm->pc += 4;
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* A dense switch: gcc makes it a jump table (jmp *table(,%eax,4)). */
static void run_switch(VM *vm)
{
    while (!vm->halted) {
        int op = vm->code[vm->pc++];
        vm->steps++;
        switch (op) {
#define OP_CASE(name, body)                                                 \
        case OP_##name:                                                     \
            body;                                                           \
            break;
        OPCODES(OP_CASE)
#undef OP_CASE
        default:
            return;
        }
    }
}

/* The same semantics, one function per opcode, called through a table. */
typedef void (*Handler)(VM *vm);

#define OP_HANDLER(name, body)                                              \
    static void h_##name(VM *vm)                                            \
    {                                                                       \
        body;                                                               \
    }
OPCODES(OP_HANDLER)
#undef OP_HANDLER

static const Handler handlers[OP_COUNT] = {
#define OP_ENTRY(name, body) h_##name,
    OPCODES(OP_ENTRY)
#undef OP_ENTRY
};

static void run_table(VM *vm)
{
    while (!vm->halted) {
        uint8_t op = vm->code[vm->pc++];
        vm->steps++;
        if (op >= OP_COUNT) {
            return;
        }
        handlers[op](vm);
    }
}

/* ---- programs ---- */

/* vars: 0 = n, 1 = candidate, 2 = divisor, 3 = sum */
static void prog_primes(Asm *a, int32_t limit)
{
    enum { L_OUTER, L_INNER, L_PRIME, L_NEXT, L_DONE };

    emit_imm(a, OP_PUSH, 0);
    emit_imm(a, OP_STORE, 3);
    emit_imm(a, OP_PUSH, 2);
    emit_imm(a, OP_STORE, 1);
    label(a, L_OUTER);
    emit_imm(a, OP_LOAD, 1);
    emit_imm(a, OP_PUSH, limit);
    emit(a, OP_LT);
    emit_jump(a, OP_JZ, L_DONE);
    emit_imm(a, OP_PUSH, 2);
    emit_imm(a, OP_STORE, 2);
    label(a, L_INNER);
    /* divisor * divisor > candidate: prime */
    emit_imm(a, OP_LOAD, 1);
    emit_imm(a, OP_LOAD, 2);
    emit(a, OP_DUP);
    emit(a, OP_MUL);
    emit(a, OP_LT);
    emit_jump(a, OP_JNZ, L_PRIME);
    emit_imm(a, OP_LOAD, 1);
    emit_imm(a, OP_LOAD, 2);
    emit(a, OP_MOD);
    emit_jump(a, OP_JZ, L_NEXT);           /* divisible: not prime */
    emit_imm(a, OP_LOAD, 2);
    emit(a, OP_INC);
    emit_imm(a, OP_STORE, 2);
    emit_jump(a, OP_JMP, L_INNER);
    label(a, L_PRIME);
    emit_imm(a, OP_LOAD, 3);
    emit_imm(a, OP_LOAD, 1);
    emit(a, OP_ADD);
    emit_imm(a, OP_STORE, 3);
    label(a, L_NEXT);
    emit_imm(a, OP_LOAD, 1);
    emit(a, OP_INC);
    emit_imm(a, OP_STORE, 1);
    emit_jump(a, OP_JMP, L_OUTER);
    label(a, L_DONE);
    emit_imm(a, OP_LOAD, 3);
    emit(a, OP_EMIT);
    emit(a, OP_HALT);
    link(a);
}

/* Emits the chain length of each n in [1, limit), then the total. */
static void prog_collatz(Asm *a, int32_t limit)
{
    enum { L_OUTER, L_STEP, L_ODD, L_COUNTED, L_END, L_DONE };

    emit_imm(a, OP_PUSH, 0);
    emit_imm(a, OP_STORE, 3);               /* total */
    emit_imm(a, OP_PUSH, 1);
    emit_imm(a, OP_STORE, 0);               /* n */
    label(a, L_OUTER);
    emit_imm(a, OP_LOAD, 0);
    emit_imm(a, OP_PUSH, limit);
    emit(a, OP_LT);
    emit_jump(a, OP_JZ, L_DONE);
    emit_imm(a, OP_LOAD, 0);
    emit_imm(a, OP_STORE, 1);               /* x = n */
    emit_imm(a, OP_PUSH, 0);
    emit_imm(a, OP_STORE, 2);               /* steps = 0 */
    label(a, L_STEP);
    emit_imm(a, OP_LOAD, 1);
    emit_imm(a, OP_PUSH, 1);
    emit(a, OP_EQ);
    emit_jump(a, OP_JNZ, L_END);
    emit_imm(a, OP_LOAD, 1);
    emit_imm(a, OP_PUSH, 1);
    emit(a, OP_AND);
    emit_jump(a, OP_JNZ, L_ODD);
    emit_imm(a, OP_LOAD, 1);
    emit_imm(a, OP_PUSH, 1);
    emit(a, OP_SHR);
    emit_imm(a, OP_STORE, 1);
    emit_jump(a, OP_JMP, L_COUNTED);
    label(a, L_ODD);
    emit_imm(a, OP_LOAD, 1);
    emit_imm(a, OP_PUSH, 3);
    emit(a, OP_MUL);
    emit(a, OP_INC);
    emit_imm(a, OP_STORE, 1);
    label(a, L_COUNTED);
    emit_imm(a, OP_LOAD, 2);
    emit(a, OP_INC);
    emit_imm(a, OP_STORE, 2);
    emit_jump(a, OP_JMP, L_STEP);
    label(a, L_END);
    emit_imm(a, OP_LOAD, 2);
    emit(a, OP_DUP);
    emit(a, OP_EMIT);
    emit_imm(a, OP_LOAD, 3);
    emit(a, OP_ADD);
    emit_imm(a, OP_STORE, 3);
    emit_imm(a, OP_LOAD, 0);
    emit(a, OP_INC);
    emit_imm(a, OP_STORE, 0);
    emit_jump(a, OP_JMP, L_OUTER);
    label(a, L_DONE);
    emit_imm(a, OP_LOAD, 3);
    emit(a, OP_EMIT);
    emit(a, OP_HALT);
    link(a);
}

/* fib(n) with the argument and result on the data stack. */
static void prog_fib(Asm *a, int32_t n)
{
    enum { L_FIB, L_BASE };

    emit_imm(a, OP_PUSH, n);
    emit_jump(a, OP_CALL, L_FIB);
    emit(a, OP_EMIT);
    emit(a, OP_HALT);
    label(a, L_FIB);                        /* ( n -- fib(n) ) */
    emit(a, OP_DUP);
    emit_imm(a, OP_PUSH, 2);
    emit(a, OP_LT);
    emit_jump(a, OP_JNZ, L_BASE);
    emit(a, OP_DUP);
    emit(a, OP_DEC);
    emit_jump(a, OP_CALL, L_FIB);           /* ( n fib(n-1) ) */
    emit(a, OP_SWAP);
    emit_imm(a, OP_PUSH, 2);
    emit(a, OP_SUB);
    emit_jump(a, OP_CALL, L_FIB);           /* ( fib(n-1) fib(n-2) ) */
    emit(a, OP_ADD);
    label(a, L_BASE);
    emit(a, OP_RET);
    link(a);
}

/* ---- the same computations in C ---- */

static uint32_t c_primes(int32_t limit)
{
    uint32_t h = 0, sum = 0;

    for (int32_t c = 2; c < limit; c++) {
        int32_t d = 2;
        while (d * d <= c && c % d) {
            d++;
        }
        if (d * d > c) {
            sum += (uint32_t)c;
        }
    }
    return mix32(h, sum);
}

static uint32_t c_collatz(int32_t limit)
{
    uint32_t h = 0, total = 0;

    for (int32_t n = 1; n < limit; n++) {
        uint32_t x = (uint32_t)n, steps = 0;
        while (x != 1) {
            x = (x & 1) ? 3 * x + 1 : x >> 1;
            steps++;
        }
        h = mix32(h, steps);
        total += steps;
    }
    return mix32(h, total);
}

static uint32_t c_fib(uint32_t n)
{
    uint32_t a = 0, b = 1;

    while (n--) {
        uint32_t t = a + b;
        a = b;
        b = t;
    }
    return mix32(0, a);
}

static Asm assembler;
static VM vm;

static uint32_t run(const char *name, void (*build)(Asm *, int32_t),
                    int32_t arg, uint32_t want)
{
    uint32_t got[2], steps[2];

    memset(&assembler, 0, sizeof(assembler));
    build(&assembler, arg);
    for (int k = 0; k < 2; k++) {
        memset(&vm, 0, sizeof(vm));
        vm.code = assembler.code;
        if (k == 0) {
            run_switch(&vm);
        } else {
            run_table(&vm);
        }
        got[k] = vm.emitted;
        steps[k] = vm.steps;
        CHECK(vm.sp == 0 && vm.rsp == 0);
    }
    int ninsns = 0;
    for (int pc = 0; pc < assembler.len; ninsns++) {
        pc += has_operand(assembler.code[pc]) ? 5 : 1;
    }
    printf("  %s(%d): %d instructions, %u steps, result %08x\n", name, arg,
           ninsns, steps[0], got[0]);
    CHECK_EQ(got[0], want);
    CHECK_EQ(got[1], want);
    CHECK_EQ(steps[0], steps[1]);
    return mix32(got[0], steps[0]);
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0;

    printf("bytecode: stack VM, switch and function-table dispatch\n");
    sum = mix32(sum, run("primes", prog_primes, 1500, c_primes(1500)));
    sum = mix32(sum, run("collatz", prog_collatz, 400, c_collatz(400)));
    sum = mix32(sum, run("fib", prog_fib, 15, c_fib(15)));
    CHECK_EQ(c_primes(2000), mix32(0, 277050));
    return rt_finish("bytecode", sum);
}
