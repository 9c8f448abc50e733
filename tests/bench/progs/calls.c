/*
 * calls: call-heavy recursion.  Naive Fibonacci, the Ackermann function
 * (deep, irregular recursion: A(3, 6) nests 500 frames), and recursive
 * walks of a 64 Ki-node binary tree, once through a visitor function
 * pointer (indirect calls).  Calls, returns, pushes and pops dominate.
 */
#include "bench.h"

#ifndef CALLS_ITERS
#define CALLS_ITERS 420
#endif
#define TREE_DEPTH 16
#define TREE_NODES ((1u << TREE_DEPTH) - 1)

struct node {
    struct node *left, *right;
    uint32_t value;
};

static struct node tree[TREE_NODES];

static __attribute__((noinline)) uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static __attribute__((noinline)) uint32_t ack(uint32_t m, uint32_t n)
{
    if (m == 0) {
        return n + 1;
    }
    if (n == 0) {
        return ack(m - 1, 1);
    }
    return ack(m - 1, ack(m, n - 1));
}

/* Heap layout: node i has children 2i+1 and 2i+2. */
static void tree_build(uint32_t seed)
{
    for (uint32_t i = 0; i < TREE_NODES; i++) {
        tree[i].value = xorshift32(&seed);
        tree[i].left = 2 * i + 1 < TREE_NODES ? &tree[2 * i + 1] : NULL;
        tree[i].right = 2 * i + 2 < TREE_NODES ? &tree[2 * i + 2] : NULL;
    }
}

static __attribute__((noinline)) uint32_t tree_hash(const struct node *n)
{
    if (!n) {
        return 0x811c9dc5u;
    }
    return mix32(tree_hash(n->left) * 3 + n->value, tree_hash(n->right));
}

typedef uint32_t (*visit_fn)(uint32_t acc, const struct node *n);

static uint32_t visit_sum(uint32_t acc, const struct node *n)
{
    return acc + n->value;
}

static uint32_t visit_xor(uint32_t acc, const struct node *n)
{
    return (acc ^ n->value) + (acc << 1);
}

static __attribute__((noinline)) uint32_t tree_walk(const struct node *n,
                                                    visit_fn visit,
                                                    uint32_t acc)
{
    if (!n) {
        return acc;
    }
    acc = tree_walk(n->left, visit, acc);
    acc = visit(acc, n);
    return tree_walk(n->right, visit, acc);
}

int main(uint32_t mb_magic, const void *mb_info)
{
    static const visit_fn visitors[2] = { visit_sum, visit_xor };
    uint32_t sum = 0;

    printf("calls: %u passes of fib(25), A(3, 6), tree walks\n",
           CALLS_ITERS);
    for (uint32_t it = 0; it < CALLS_ITERS; it++) {
        uint32_t n = 25, m = 3, k = 6, f, a;

        OPAQUE(n);
        OPAQUE(m);
        OPAQUE(k);
        f = fib(n);
        a = ack(m, k);
        CHECK_EQ(f, 75025);
        CHECK_EQ(a, 509);
        sum = mix32(sum, f + a);

        tree_build(0x1234567u + it);
        sum = mix32(sum, tree_hash(&tree[0]));
        sum = mix32(sum, tree_walk(&tree[0], visitors[it & 1], it));
    }
    return rt_finish("calls", sum);
}
