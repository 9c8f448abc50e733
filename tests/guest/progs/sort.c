/*
 * sort: quicksort, heapsort, merge sort, shell sort and a generic
 * qsort-style sort through a comparator pointer, on pseudo-random,
 * sorted, reversed and few-distinct-values inputs of ints, signed shorts
 * and records.  Each result must be ordered, a permutation of the input
 * (order-independent hash), identical across algorithms, and merge sort
 * must be stable.
 */
#include "rt.h"

#define N 4000

static int32_t input[N], work[N], scratch[N], first[N];

/* ---- algorithms on int32_t ---- */

static void insertion(int32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        int32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void heap_fallback(int32_t *a, int n);

static void quick(int32_t *a, int n)
{
    while (n > 16) {
        /* Median of three as the pivot, Hoare partition. */
        int32_t x = a[0], y = a[n / 2], z = a[n - 1];
        int32_t p = x < y ? (y < z ? y : x < z ? z : x)
                          : (x < z ? x : y < z ? z : y);
        int i = -1, j = n;
        for (;;) {
            do {
                i++;
            } while (a[i] < p);
            do {
                j--;
            } while (a[j] > p);
            if (i >= j) {
                break;
            }
            int32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        /* Recurse into the smaller side, loop on the larger: O(log n) stack. */
        int left = j + 1;
        if (left <= 0 || left >= n) {
            heap_fallback(a, n);    /* no progress: cannot happen, but safe */
            return;
        }
        if (left < n - left) {
            quick(a, left);
            a += left;
            n -= left;
        } else {
            quick(a + left, n - left);
            n = left;
        }
    }
    insertion(a, n);
}

static void sift_down(int32_t *a, int root, int n)
{
    for (;;) {
        int child = 2 * root + 1;
        if (child >= n) {
            return;
        }
        if (child + 1 < n && a[child + 1] > a[child]) {
            child++;
        }
        if (a[root] >= a[child]) {
            return;
        }
        int32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void heap(int32_t *a, int n)
{
    for (int i = n / 2 - 1; i >= 0; i--) {
        sift_down(a, i, n);
    }
    for (int end = n - 1; end > 0; end--) {
        int32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

static void merge_rec(int32_t *a, int32_t *tmp, int n)
{
    if (n < 2) {
        return;
    }
    int h = n / 2;
    merge_rec(a, tmp, h);
    merge_rec(a + h, tmp, n - h);
    int i = 0, j = h, k = 0;
    while (i < h && j < n) {
        tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    }
    while (i < h) {
        tmp[k++] = a[i++];
    }
    while (j < n) {
        tmp[k++] = a[j++];
    }
    memcpy(a, tmp, (size_t)n * sizeof(*a));
}

static void merge(int32_t *a, int n)
{
    merge_rec(a, scratch, n);
}

static void shell(int32_t *a, int n)
{
    static const int gaps[] = { 1750, 701, 301, 132, 57, 23, 10, 4, 1 };

    for (size_t g = 0; g < ARRAY_SIZE(gaps); g++) {
        int gap = gaps[g];
        for (int i = gap; i < n; i++) {
            int32_t v = a[i];
            int j = i;
            while (j >= gap && a[j - gap] > v) {
                a[j] = a[j - gap];
                j -= gap;
            }
            a[j] = v;
        }
    }
}

static void heap_fallback(int32_t *a, int n)
{
    heap(a, n);
}

/* ---- a generic sort over bytes, like qsort ---- */

typedef int (*cmp_fn)(const void *, const void *);

static void swap_bytes(uint8_t *a, uint8_t *b, size_t size)
{
    while (size--) {
        uint8_t t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

static void gsort(void *base, size_t n, size_t size, cmp_fn cmp)
{
    uint8_t *b = base;

    /* Heapsort over bytes: no extra memory, any element size. */
    for (size_t start = n / 2; start-- > 0;) {
        for (size_t root = start;;) {
            size_t child = 2 * root + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n &&
                cmp(b + child * size, b + (child + 1) * size) < 0) {
                child++;
            }
            if (cmp(b + root * size, b + child * size) >= 0) {
                break;
            }
            swap_bytes(b + root * size, b + child * size, size);
            root = child;
        }
    }
    for (size_t end = n; end-- > 1;) {
        swap_bytes(b, b + end * size, size);
        for (size_t root = 0;;) {
            size_t child = 2 * root + 1;
            if (child >= end) {
                break;
            }
            if (child + 1 < end &&
                cmp(b + child * size, b + (child + 1) * size) < 0) {
                child++;
            }
            if (cmp(b + root * size, b + child * size) >= 0) {
                break;
            }
            swap_bytes(b + root * size, b + child * size, size);
            root = child;
        }
    }
}

typedef struct Rec {
    int16_t key;
    uint8_t tag;
    uint32_t seq;
} Rec;

static int cmp_short(const void *a, const void *b)
{
    int16_t x = *(const int16_t *)a, y = *(const int16_t *)b;
    return (x > y) - (x < y);
}

static int cmp_rec(const void *a, const void *b)
{
    const Rec *x = a, *y = b;

    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* ---- checks ---- */

/* Same value whatever the order: a sum of a mixing function. */
static uint32_t multiset_hash(const int32_t *a, int n)
{
    uint32_t h = 0;

    for (int i = 0; i < n; i++) {
        uint32_t v = (uint32_t)a[i] * 0x9e3779b1u;
        h += v ^ (v >> 16);
    }
    return h;
}

static void fill(int kind, uint32_t *rng)
{
    for (int i = 0; i < N; i++) {
        switch (kind) {
        case 0: input[i] = (int32_t)xorshift32(rng); break;
        case 1: input[i] = i * 3 - N; break;                    /* sorted */
        case 2: input[i] = N - i * 7; break;                    /* reversed */
        default: input[i] = (int32_t)(xorshift32(rng) % 7) - 3; break;
        }
    }
}

int main(uint32_t mb_magic, const void *mb_info)
{
    static const struct {
        const char *name;
        void (*fn)(int32_t *, int);
    } algos[] = {
        { "quicksort", quick },
        { "heapsort", heap },
        { "merge sort", merge },
        { "shell sort", shell },
    };
    static const char *const kinds[] = { "random", "sorted", "reversed",
                                         "few values" };
    uint32_t rng = 0xfeedbeef;
    uint32_t sum = 0;

    printf("sort: quick/heap/merge/shell sort and a generic byte sort\n");
    for (int kind = 0; kind < 4; kind++) {
        fill(kind, &rng);
        uint32_t want_hash = multiset_hash(input, N);
        for (size_t k = 0; k < ARRAY_SIZE(algos); k++) {
            memcpy(work, input, sizeof(work));
            algos[k].fn(work, N);
            int ordered = 1;
            for (int i = 1; i < N; i++) {
                ordered &= work[i - 1] <= work[i];
            }
            CHECK(ordered);
            CHECK_EQ(multiset_hash(work, N), want_hash);
            if (k == 0) {
                memcpy(first, work, sizeof(first));
            } else {
                CHECK(memcmp(first, work, sizeof(work)) == 0);
            }
        }
        uint32_t h = 0;
        for (int i = 0; i < N; i += 7) {
            h = mix32(h, (uint32_t)first[i]);
        }
        printf("  %-10s min %11d max %11d hash %08x\n", kinds[kind], first[0],
               first[N - 1], h);
        sum = mix32(sum, h);
    }

    /* Signed shorts through the generic sort. */
    static int16_t shorts[2000];
    for (int i = 0; i < 2000; i++) {
        shorts[i] = (int16_t)xorshift32(&rng);
    }
    gsort(shorts, 2000, sizeof(shorts[0]), cmp_short);
    for (int i = 1; i < 2000; i++) {
        CHECK(shorts[i - 1] <= shorts[i]);
    }
    sum = mix32(sum, (uint32_t)(uint16_t)shorts[0] << 16 |
                         (uint16_t)shorts[1999]);

    /* Records with duplicate keys: the generic sort by (key, seq) gives the
     * stable order, and merge sort of the packed keys must reproduce it. */
    static Rec recs[1500];
    for (int i = 0; i < 1500; i++) {
        recs[i].key = (int16_t)(xorshift32(&rng) % 50 - 25);
        recs[i].tag = (uint8_t)i;
        recs[i].seq = (uint32_t)i;
        input[i] = (int32_t)recs[i].key * 65536 + i;    /* key, then index */
    }
    gsort(recs, 1500, sizeof(Rec), cmp_rec);
    merge(input, 1500);
    for (int i = 0; i < 1500; i++) {
        int32_t packed = (int32_t)recs[i].key * 65536 + (int32_t)recs[i].seq;
        if (packed != input[i] || recs[i].tag != (uint8_t)recs[i].seq) {
            CHECK(0);
            break;
        }
        sum = mix32(sum, (uint32_t)packed);
    }
    printf("  generic sorts: %08x\n", sum);
    return rt_finish("sort", sum);
}
