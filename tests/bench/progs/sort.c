/*
 * sort: 1 Mi random 32-bit keys (4 MiB) sorted twice, by quicksort
 * (median of three, insertion sort below 16 keys, recursion on the
 * smaller side) and by top-down mergesort with a scratch array.  Both
 * results must be ordered and equal.  Data-dependent branches, loads and
 * stores over a working set far larger than any cache a TLB maps at once.
 */
#include "bench.h"

#ifndef SORT_ITERS
#define SORT_ITERS 5
#endif
#define SORT_N (1024 * 1024)

static uint32_t keys[SORT_N], work[SORT_N], scratch[SORT_N];

static inline void swap(uint32_t *a, uint32_t *b)
{
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(uint32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quicksort(uint32_t *a, int n)
{
    while (n > 16) {
        int mid = n / 2, i = 0, j = n - 1;
        uint32_t pivot;

        /* Median of three into a[mid]. */
        if (a[mid] < a[0]) {
            swap(&a[mid], &a[0]);
        }
        if (a[n - 1] < a[0]) {
            swap(&a[n - 1], &a[0]);
        }
        if (a[n - 1] < a[mid]) {
            swap(&a[n - 1], &a[mid]);
        }
        pivot = a[mid];
        /* Hoare partition. */
        for (;;) {
            while (a[i] < pivot) {
                i++;
            }
            while (a[j] > pivot) {
                j--;
            }
            if (i >= j) {
                break;
            }
            swap(&a[i], &a[j]);
            i++;
            j--;
        }
        /* a[0..j] <= pivot <= a[j+1..n-1]; recurse on the smaller side. */
        if (j + 1 < n - j - 1) {
            quicksort(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            quicksort(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion_sort(a, n);
}

static void merge_sort_rec(uint32_t *a, uint32_t *tmp, int n)
{
    int half = n / 2, i = 0, j = half, k = 0;

    if (n <= 16) {
        insertion_sort(a, n);
        return;
    }
    merge_sort_rec(a, tmp, half);
    merge_sort_rec(a + half, tmp, n - half);
    while (i < half && j < n) {
        tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    }
    while (i < half) {
        tmp[k++] = a[i++];
    }
    while (j < n) {
        tmp[k++] = a[j++];
    }
    for (k = 0; k < n; k++) {
        a[k] = tmp[k];
    }
}

/* Order-sensitive hash of the whole array; counts out-of-order pairs. */
static uint32_t hash_sorted(const uint32_t *a, int n, uint32_t *unordered)
{
    uint32_t h = 0, bad = 0;

    for (int i = 0; i < n; i++) {
        h = h * 0x01000193u + a[i];
        bad += i > 0 && a[i - 1] > a[i];
    }
    *unordered = bad;
    return h;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0, seed = 0x9e3779b9u;

    printf("sort: %u passes of quicksort and mergesort, %u keys\n",
           SORT_ITERS, SORT_N);
    for (uint32_t it = 0; it < SORT_ITERS; it++) {
        uint32_t hq, hm, bad;

        for (int i = 0; i < SORT_N; i++) {
            /* Some duplicates: the low bits are cut off half the time. */
            uint32_t r = xorshift32(&seed);
            keys[i] = (i & 1) ? r : r & ~0xfffu;
        }
        memcpy(work, keys, sizeof(work));
        quicksort(work, SORT_N);
        hq = hash_sorted(work, SORT_N, &bad);
        CHECK_EQ(bad, 0);

        memcpy(work, keys, sizeof(work));
        merge_sort_rec(work, scratch, SORT_N);
        hm = hash_sorted(work, SORT_N, &bad);
        CHECK_EQ(bad, 0);
        CHECK_EQ(hq, hm);
        sum = mix32(sum, hq);
        sum = mix32(sum, work[SORT_N / 2]);
    }
    return rt_finish("sort", sum);
}
