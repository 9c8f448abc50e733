/*
 * bytecode: the dispatch loop of a small stack-machine interpreter, run
 * two ways over the same programs: computed goto (gcc's labels as values,
 * one indirect jump per opcode, replicated at the end of every handler)
 * and a table of handler functions (one indirect call per opcode).  The
 * programs: a hash loop over locals, and trial-division prime counting
 * (with DIV/MOD and nested loops).  Both dispatchers must agree with each
 * other and with the same computations written in C.
 */
#include "bench.h"

#ifndef BC_ITERS
#define BC_ITERS 5
#endif
#define HASH_N       400000
#define PRIMES_LIMIT 30000
#define PRIMES_COUNT 3245           /* pi(30000) */

enum {
    OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_DIV,
    OP_MOD, OP_AND, OP_XOR, OP_SHL, OP_SHR, OP_LT, OP_LE, OP_JMP, OP_JZ,
    OP_JNZ, OP_DUP, OP_DROP, OP_INC, OP_COUNT
};

#define CODE_MAX   256
#define STACK_MAX  64
#define LOCALS     8

struct vm {
    const uint32_t *code;
    uint32_t pc;
    uint32_t sp;
    uint32_t stack[STACK_MAX];
    uint32_t local[LOCALS];
    int halted;
};

/* ---- the programs, assembled at start-up ---- */

struct prog {
    uint32_t code[CODE_MAX];
    uint32_t len;
};

static struct prog prog_hash, prog_primes;

static uint32_t emit(struct prog *p, uint32_t op)
{
    p->code[p->len] = op;
    return p->len++;
}

static uint32_t emit2(struct prog *p, uint32_t op, uint32_t arg)
{
    emit(p, op);
    emit(p, arg);
    return p->len - 1;              /* where the operand is, to patch it */
}

/*
 * local1 = seed; for (local0 = 0; local0 < n; local0++) {
 *     local1 = (local1 * 31 + local0) ^ (local1 >> 7);
 *     if (!(local0 & 3)) local1 ^= 0x9e3779b9;
 * }
 * result local1
 */
static void asm_hash(struct prog *p, uint32_t n, uint32_t seed)
{
    uint32_t loop, exit_patch, skip_patch;

    p->len = 0;
    emit2(p, OP_PUSH, seed);
    emit2(p, OP_STORE, 1);
    emit2(p, OP_PUSH, 0);
    emit2(p, OP_STORE, 0);
    loop = p->len;
    emit2(p, OP_LOAD, 0);
    emit2(p, OP_PUSH, n);
    emit(p, OP_LT);
    exit_patch = emit2(p, OP_JZ, 0);
    emit2(p, OP_LOAD, 1);
    emit2(p, OP_PUSH, 31);
    emit(p, OP_MUL);
    emit2(p, OP_LOAD, 0);
    emit(p, OP_ADD);
    emit2(p, OP_LOAD, 1);
    emit2(p, OP_PUSH, 7);
    emit(p, OP_SHR);
    emit(p, OP_XOR);
    emit2(p, OP_STORE, 1);
    emit2(p, OP_LOAD, 0);
    emit2(p, OP_PUSH, 3);
    emit(p, OP_AND);
    skip_patch = emit2(p, OP_JNZ, 0);
    emit2(p, OP_LOAD, 1);
    emit2(p, OP_PUSH, 0x9e3779b9u);
    emit(p, OP_XOR);
    emit2(p, OP_STORE, 1);
    p->code[skip_patch] = p->len;
    emit2(p, OP_LOAD, 0);
    emit(p, OP_INC);
    emit2(p, OP_STORE, 0);
    emit2(p, OP_JMP, loop);
    p->code[exit_patch] = p->len;
    emit2(p, OP_LOAD, 1);
    emit(p, OP_HALT);
}

static uint32_t c_hash(uint32_t n, uint32_t seed)
{
    uint32_t h = seed;

    for (uint32_t i = 0; i < n; i++) {
        h = (h * 31 + i) ^ (h >> 7);
        if (!(i & 3)) {
            h ^= 0x9e3779b9u;
        }
    }
    return h;
}

/*
 * count = 0; for (n = 2; n < limit; n++) {
 *     for (d = 2; d * d <= n; d++) if (n % d == 0) goto composite;
 *     count++;
 *   composite: ;
 * }
 * result count          (locals: 0 = n, 1 = d, 2 = count)
 */
static void asm_primes(struct prog *p, uint32_t limit)
{
    uint32_t outer, inner, out_patch, prime_patch, comp_patch, next;

    p->len = 0;
    emit2(p, OP_PUSH, 0);
    emit2(p, OP_STORE, 2);
    emit2(p, OP_PUSH, 2);
    emit2(p, OP_STORE, 0);
    outer = p->len;
    emit2(p, OP_LOAD, 0);
    emit2(p, OP_PUSH, limit);
    emit(p, OP_LT);
    out_patch = emit2(p, OP_JZ, 0);
    emit2(p, OP_PUSH, 2);
    emit2(p, OP_STORE, 1);
    inner = p->len;
    emit2(p, OP_LOAD, 1);
    emit(p, OP_DUP);
    emit(p, OP_MUL);
    emit2(p, OP_LOAD, 0);
    emit(p, OP_LE);
    prime_patch = emit2(p, OP_JZ, 0);
    emit2(p, OP_LOAD, 0);
    emit2(p, OP_LOAD, 1);
    emit(p, OP_MOD);
    comp_patch = emit2(p, OP_JZ, 0);
    emit2(p, OP_LOAD, 1);
    emit(p, OP_INC);
    emit2(p, OP_STORE, 1);
    emit2(p, OP_JMP, inner);
    p->code[prime_patch] = p->len;
    emit2(p, OP_LOAD, 2);
    emit(p, OP_INC);
    emit2(p, OP_STORE, 2);
    next = p->len;
    p->code[comp_patch] = next;
    emit2(p, OP_LOAD, 0);
    emit(p, OP_INC);
    emit2(p, OP_STORE, 0);
    emit2(p, OP_JMP, outer);
    p->code[out_patch] = p->len;
    emit2(p, OP_LOAD, 2);
    emit(p, OP_HALT);
}

/* ---- shared semantics ---- */

/* Division by zero gives 0 here: the interpreter must never fault. */
static inline uint32_t vm_div(uint32_t a, uint32_t b)
{
    return b ? a / b : 0;
}

static inline uint32_t vm_mod(uint32_t a, uint32_t b)
{
    return b ? a % b : 0;
}

/* ---- dispatcher 1: computed goto ---- */

static __attribute__((noinline)) uint32_t run_goto(const uint32_t *code)
{
    static void *const labels[OP_COUNT] = {
        [OP_HALT] = &&do_halt, [OP_PUSH] = &&do_push, [OP_LOAD] = &&do_load,
        [OP_STORE] = &&do_store, [OP_ADD] = &&do_add, [OP_SUB] = &&do_sub,
        [OP_MUL] = &&do_mul, [OP_DIV] = &&do_div, [OP_MOD] = &&do_mod,
        [OP_AND] = &&do_and, [OP_XOR] = &&do_xor, [OP_SHL] = &&do_shl,
        [OP_SHR] = &&do_shr, [OP_LT] = &&do_lt, [OP_LE] = &&do_le,
        [OP_JMP] = &&do_jmp, [OP_JZ] = &&do_jz, [OP_JNZ] = &&do_jnz,
        [OP_DUP] = &&do_dup, [OP_DROP] = &&do_drop, [OP_INC] = &&do_inc,
    };
    uint32_t stack[STACK_MAX], local[LOCALS] = { 0 };
    uint32_t *sp = stack;           /* points past the top */
    const uint32_t *pc = code;

#define NEXT() goto *labels[*pc++ % OP_COUNT]
#define BINOP(expr)                                                         \
    do {                                                                    \
        uint32_t b_ = *--sp, a_ = sp[-1];                                   \
        sp[-1] = (expr);                                                    \
        (void)a_;                                                           \
        (void)b_;                                                           \
    } while (0)

    NEXT();
do_halt:
    return sp > stack ? sp[-1] : 0;
do_push:
    *sp++ = *pc++;
    NEXT();
do_load:
    *sp++ = local[*pc++ % LOCALS];
    NEXT();
do_store:
    local[*pc++ % LOCALS] = *--sp;
    NEXT();
do_add:
    BINOP(a_ + b_);
    NEXT();
do_sub:
    BINOP(a_ - b_);
    NEXT();
do_mul:
    BINOP(a_ * b_);
    NEXT();
do_div:
    BINOP(vm_div(a_, b_));
    NEXT();
do_mod:
    BINOP(vm_mod(a_, b_));
    NEXT();
do_and:
    BINOP(a_ & b_);
    NEXT();
do_xor:
    BINOP(a_ ^ b_);
    NEXT();
do_shl:
    BINOP(a_ << (b_ & 31));
    NEXT();
do_shr:
    BINOP(a_ >> (b_ & 31));
    NEXT();
do_lt:
    BINOP(a_ < b_);
    NEXT();
do_le:
    BINOP(a_ <= b_);
    NEXT();
do_jmp:
    pc = code + *pc;
    NEXT();
do_jz:
    pc = *--sp ? pc + 1 : code + *pc;
    NEXT();
do_jnz:
    pc = *--sp ? code + *pc : pc + 1;
    NEXT();
do_dup:
    *sp = sp[-1];
    sp++;
    NEXT();
do_drop:
    sp--;
    NEXT();
do_inc:
    sp[-1]++;
    NEXT();
#undef NEXT
#undef BINOP
}

/* ---- dispatcher 2: a table of handler functions ---- */

typedef void (*handler_fn)(struct vm *vm);

static inline uint32_t pop(struct vm *vm)
{
    return vm->stack[--vm->sp % STACK_MAX];
}

static inline void push(struct vm *vm, uint32_t v)
{
    vm->stack[vm->sp++ % STACK_MAX] = v;
}

static inline uint32_t operand(struct vm *vm)
{
    return vm->code[vm->pc++];
}

#define DEF_BINOP(name, expr)                                               \
    static void h_##name(struct vm *vm)                                     \
    {                                                                       \
        uint32_t b = pop(vm), a = pop(vm);                                  \
        push(vm, (expr));                                                   \
    }

DEF_BINOP(add, a + b)
DEF_BINOP(sub, a - b)
DEF_BINOP(mul, a * b)
DEF_BINOP(div, vm_div(a, b))
DEF_BINOP(mod, vm_mod(a, b))
DEF_BINOP(and, a & b)
DEF_BINOP(xor, a ^ b)
DEF_BINOP(shl, a << (b & 31))
DEF_BINOP(shr, a >> (b & 31))
DEF_BINOP(lt, a < b)
DEF_BINOP(le, a <= b)
#undef DEF_BINOP

static void h_halt(struct vm *vm)
{
    vm->halted = 1;
}

static void h_push(struct vm *vm)
{
    push(vm, operand(vm));
}

static void h_load(struct vm *vm)
{
    push(vm, vm->local[operand(vm) % LOCALS]);
}

static void h_store(struct vm *vm)
{
    uint32_t i = operand(vm);
    vm->local[i % LOCALS] = pop(vm);
}

static void h_jmp(struct vm *vm)
{
    vm->pc = operand(vm);
}

static void h_jz(struct vm *vm)
{
    uint32_t target = operand(vm);
    if (!pop(vm)) {
        vm->pc = target;
    }
}

static void h_jnz(struct vm *vm)
{
    uint32_t target = operand(vm);
    if (pop(vm)) {
        vm->pc = target;
    }
}

static void h_dup(struct vm *vm)
{
    uint32_t v = pop(vm);
    push(vm, v);
    push(vm, v);
}

static void h_drop(struct vm *vm)
{
    pop(vm);
}

static void h_inc(struct vm *vm)
{
    push(vm, pop(vm) + 1);
}

static const handler_fn handlers[OP_COUNT] = {
    [OP_HALT] = h_halt, [OP_PUSH] = h_push, [OP_LOAD] = h_load,
    [OP_STORE] = h_store, [OP_ADD] = h_add, [OP_SUB] = h_sub,
    [OP_MUL] = h_mul, [OP_DIV] = h_div, [OP_MOD] = h_mod, [OP_AND] = h_and,
    [OP_XOR] = h_xor, [OP_SHL] = h_shl, [OP_SHR] = h_shr, [OP_LT] = h_lt,
    [OP_LE] = h_le, [OP_JMP] = h_jmp, [OP_JZ] = h_jz, [OP_JNZ] = h_jnz,
    [OP_DUP] = h_dup, [OP_DROP] = h_drop, [OP_INC] = h_inc,
};

static __attribute__((noinline)) uint32_t run_table(const uint32_t *code)
{
    struct vm vm = { .code = code };

    while (!vm.halted) {
        handlers[code[vm.pc++] % OP_COUNT](&vm);
    }
    return vm.sp ? vm.stack[(vm.sp - 1) % STACK_MAX] : 0;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0;

    printf("bytecode: %u passes, computed goto and handler table\n",
           BC_ITERS);
    for (uint32_t it = 0; it < BC_ITERS; it++) {
        uint32_t seed = 0x1234567u + it, want, a, b;

        asm_hash(&prog_hash, HASH_N, seed);
        want = c_hash(HASH_N, seed);
        a = run_goto(prog_hash.code);
        b = run_table(prog_hash.code);
        CHECK_EQ(a, want);
        CHECK_EQ(b, want);
        sum = mix32(sum, a);

        asm_primes(&prog_primes, PRIMES_LIMIT - it);
        a = run_goto(prog_primes.code);
        b = run_table(prog_primes.code);
        if (it == 0) {
            CHECK_EQ(a, PRIMES_COUNT);
        }
        CHECK_EQ(a, b);
        sum = mix32(sum, a);
    }
    return rt_finish("bytecode", sum);
}
