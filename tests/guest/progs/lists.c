/*
 * lists: pointer-heavy code.  A singly linked list built in random order,
 * reversed and merge-sorted in place; a circular doubly linked list with a
 * sentinel under random inserts and removals; a treap (a binary search
 * tree kept balanced by random priorities, with rotations) under inserts,
 * lookups and deletes; and pointer chasing around one random cycle
 * through a large array (Sattolo's shuffle), which defeats any locality.
 */
#include "rt.h"

/* ---- singly linked ---- */

typedef struct SNode {
    struct SNode *next;
    uint32_t key;
} SNode;

#define NS 8000
static SNode snodes[NS];

static SNode *reverse(SNode *head)
{
    SNode *prev = NULL;

    while (head) {
        SNode *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

static SNode *merge_sorted(SNode *a, SNode *b)
{
    SNode head, *tail = &head;

    while (a && b) {
        if (b->key < a->key) {
            tail->next = b;
            b = b->next;
        } else {
            tail->next = a;
            a = a->next;
        }
        tail = tail->next;
    }
    tail->next = a ? a : b;
    return head.next;
}

/* Bottom-up would avoid recursion; top-down with a split is shorter. */
static SNode *list_sort(SNode *h)
{
    if (!h || !h->next) {
        return h;
    }
    SNode *slow = h, *fast = h->next;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
    }
    SNode *second = slow->next;
    slow->next = NULL;
    return merge_sorted(list_sort(h), list_sort(second));
}

static uint32_t singly(uint32_t *rng)
{
    SNode *head = NULL;
    uint32_t h = 0;

    for (int i = 0; i < NS; i++) {
        /* Link the pool in a scrambled order: index i * 4099 mod NS. */
        SNode *n = &snodes[(uint32_t)i * 4099u % NS];
        n->key = xorshift32(rng) % 100000;
        n->next = head;
        head = n;
    }
    uint32_t sum1 = 0, count = 0;
    for (SNode *p = head; p; p = p->next) {
        sum1 += p->key;
        count++;
    }
    head = reverse(head);
    uint32_t sum2 = 0;
    for (SNode *p = head; p; p = p->next) {
        sum2 += p->key;
    }
    CHECK(count == NS && sum1 == sum2);
    head = list_sort(head);
    uint32_t prev = 0, sum3 = 0;
    count = 0;
    for (SNode *p = head; p; p = p->next) {
        CHECK(p->key >= prev);
        prev = p->key;
        sum3 += p->key;
        count++;
        h = mix32(h, p->key);
    }
    CHECK(count == NS && sum3 == sum1);
    return h;
}

/* ---- doubly linked, circular, with a sentinel ---- */

typedef struct DNode {
    struct DNode *prev, *next;
    uint32_t value;
    int linked;
} DNode;

#define ND 2048
static DNode dnodes[ND];

static void d_insert_after(DNode *pos, DNode *n)
{
    n->prev = pos;
    n->next = pos->next;
    pos->next->prev = n;
    pos->next = n;
    n->linked = 1;
}

static void d_remove(DNode *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = NULL;
    n->linked = 0;
}

static uint32_t doubly(uint32_t *rng)
{
    DNode sentinel = { &sentinel, &sentinel, 0, 1 };
    uint32_t linked = 0, h = 0;

    for (int i = 0; i < ND; i++) {
        dnodes[i].value = (uint32_t)i * 2654435761u;
        dnodes[i].linked = 0;
    }
    for (int step = 0; step < 60000; step++) {
        DNode *n = &dnodes[xorshift32(rng) % ND];
        if (n->linked) {
            d_remove(n);
            linked--;
        } else {
            /* After the sentinel, or after some linked node. */
            DNode *pos = &dnodes[xorshift32(rng) % ND];
            d_insert_after(pos->linked ? pos : &sentinel, n);
            linked++;
        }
        if (step % 4096 == 0) {
            /* Walk both ways: the links must agree. */
            uint32_t fwd = 0, back = 0, hf = 0, hb = 0;
            for (DNode *p = sentinel.next; p != &sentinel; p = p->next) {
                CHECK(p->next->prev == p);
                fwd++;
                hf = hf * 31 + p->value;
            }
            for (DNode *p = sentinel.prev; p != &sentinel; p = p->prev) {
                back++;
                hb = hb + p->value * 7;
            }
            CHECK(fwd == linked && back == linked);
            h = mix32(mix32(h, hf), hb);
        }
    }
    return mix32(h, linked);
}

/* ---- treap ---- */

typedef struct TNode {
    struct TNode *left, *right;
    uint32_t key, prio;
} TNode;

#define NT 6000
static TNode tnodes[NT];
static int tnext;

static TNode *rotate_right(TNode *t)
{
    TNode *l = t->left;
    t->left = l->right;
    l->right = t;
    return l;
}

static TNode *rotate_left(TNode *t)
{
    TNode *r = t->right;
    t->right = r->left;
    r->left = t;
    return r;
}

static TNode *t_insert(TNode *t, TNode *n)
{
    if (!t) {
        return n;
    }
    if (n->key < t->key) {
        t->left = t_insert(t->left, n);
        if (t->left->prio > t->prio) {
            t = rotate_right(t);
        }
    } else {
        t->right = t_insert(t->right, n);
        if (t->right->prio > t->prio) {
            t = rotate_left(t);
        }
    }
    return t;
}

static TNode *t_delete(TNode *t, uint32_t key, int *found)
{
    if (!t) {
        return NULL;
    }
    if (key < t->key) {
        t->left = t_delete(t->left, key, found);
    } else if (key > t->key) {
        t->right = t_delete(t->right, key, found);
    } else {
        *found = 1;
        /* Rotate the node down until it has at most one child. */
        if (!t->left) {
            return t->right;
        }
        if (!t->right) {
            return t->left;
        }
        if (t->left->prio > t->right->prio) {
            t = rotate_right(t);
            t->right = t_delete(t->right, key, found);
        } else {
            t = rotate_left(t);
            t->left = t_delete(t->left, key, found);
        }
    }
    return t;
}

static TNode *t_find(TNode *t, uint32_t key)
{
    while (t && t->key != key) {
        t = key < t->key ? t->left : t->right;
    }
    return t;
}

static void t_walk(TNode *t, uint32_t *prev, uint32_t *count, uint32_t *h,
                   int depth, int *max_depth)
{
    if (!t) {
        return;
    }
    if (depth > *max_depth) {
        *max_depth = depth;
    }
    CHECK(!t->left || t->left->prio <= t->prio);
    t_walk(t->left, prev, count, h, depth + 1, max_depth);
    CHECK(*count == 0 || t->key >= *prev);
    *prev = t->key;
    (*count)++;
    *h = mix32(*h, t->key);
    t_walk(t->right, prev, count, h, depth + 1, max_depth);
}

static uint32_t treap(uint32_t *rng)
{
    TNode *root = NULL;
    uint32_t h = 0, size = 0;

    tnext = 0;
    for (int i = 0; i < NT; i++) {
        TNode *n = &tnodes[tnext++];
        n->key = xorshift32(rng) % 50000;
        n->prio = xorshift32(rng);
        n->left = n->right = NULL;
        root = t_insert(root, n);
        size++;
    }
    uint32_t hits = 0;
    for (int i = 0; i < 20000; i++) {
        hits += t_find(root, xorshift32(rng) % 50000) != NULL;
    }
    for (int i = 0; i < NT / 2; i++) {
        int found = 0;
        root = t_delete(root, tnodes[i * 2].key, &found);
        CHECK(found);
        size -= (uint32_t)found;
    }
    uint32_t prev = 0, count = 0;
    int max_depth = 0;
    t_walk(root, &prev, &count, &h, 0, &max_depth);
    CHECK_EQ(count, size);
    printf("  treap: %u keys, %u hits, depth %d\n", count, hits, max_depth);
    return mix32(h, hits);
}

/* ---- pointer chasing ---- */

#define NC 65536
static uint32_t next_index[NC];

static uint32_t chase(uint32_t *rng)
{
    /* Sattolo's algorithm: a uniformly random single cycle. */
    for (uint32_t i = 0; i < NC; i++) {
        next_index[i] = i;
    }
    for (uint32_t i = NC - 1; i > 0; i--) {
        uint32_t j = xorshift32(rng) % i;
        uint32_t t = next_index[i];
        next_index[i] = next_index[j];
        next_index[j] = t;
    }
    uint32_t p = 0, h = 0, steps = 0;
    do {
        p = next_index[p];
        h += p;
        steps++;
    } while (p != 0);
    CHECK_EQ(steps, NC);                /* one cycle through everything */
    for (int i = 0; i < 400000; i++) {
        p = next_index[p];
        h = h * 3 + p;
    }
    return h;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t rng = 0x10203040;
    uint32_t sum = 0, v;

    printf("lists: linked lists, treap, pointer chasing\n");
    v = singly(&rng);
    printf("  singly linked: %08x\n", v);
    sum = mix32(sum, v);
    v = doubly(&rng);
    printf("  doubly linked: %08x\n", v);
    sum = mix32(sum, v);
    v = treap(&rng);
    sum = mix32(sum, v);
    v = chase(&rng);
    printf("  pointer chase: %08x\n", v);
    sum = mix32(sum, v);
    return rt_finish("lists", sum);
}
