/*
 * hash: string hashes with published test vectors (FNV-1a 32 and 64,
 * djb2, Jenkins one-at-a-time, MurmurHash3 x86_32), the murmur 64-bit
 * finalizer, and an open-addressing hash table that inserts, finds and
 * deletes (with tombstones, rehashing them away when the table fills)
 * tens of thousands of keys and checks its
 * bookkeeping against a plain bitmap of which keys should be present.
 */
#include "rt.h"

static uint32_t fnv1a32(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t h = 0x811c9dc5u;

    while (n--) {
        h ^= *p++;
        h *= 0x01000193u;
    }
    return h;
}

static uint64_t fnv1a64(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t h = 0xcbf29ce484222325ull;

    while (n--) {
        h ^= *p++;
        h *= 0x100000001b3ull;          /* 64x64 multiply inline: mul, imul */
    }
    return h;
}

static uint32_t djb2(const char *s)
{
    uint32_t h = 5381;

    while (*s) {
        h = h * 33 + (uint8_t)*s++;
    }
    return h;
}

static uint32_t one_at_a_time(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t h = 0;

    while (n--) {
        h += *p++;
        h += h << 10;
        h ^= h >> 6;
    }
    h += h << 3;
    h ^= h >> 11;
    h += h << 15;
    return h;
}

static inline uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static uint32_t murmur3_32(const void *data, size_t n, uint32_t seed)
{
    const uint8_t *p = data;
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    uint32_t h = seed;
    size_t blocks = n / 4;

    for (size_t i = 0; i < blocks; i++) {
        const uint8_t *b = p + 4 * i;
        uint32_t k = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                     (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5 + 0xe6546b64u;
    }
    const uint8_t *tail = p + blocks * 4;
    uint32_t k = 0;
    switch (n & 3) {
    case 3:
        k ^= (uint32_t)tail[2] << 16;
        /* fall through */
    case 2:
        k ^= (uint32_t)tail[1] << 8;
        /* fall through */
    case 1:
        k ^= tail[0];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)n;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

/* ---- open addressing with linear probing ---- */

#define TABLE_BITS 14
#define TABLE_SIZE (1u << TABLE_BITS)
/* Each round draws from a window of 10000 keys that moves up by 3000. */
#define KEY_WINDOW 10000u
#define KEY_SPACE (KEY_WINDOW + 2 * 3000u)

enum { EMPTY, USED, DELETED };

typedef struct Slot {
    uint32_t key;
    uint32_t value;
    uint8_t state;
} Slot;

static Slot table[TABLE_SIZE], old_table[TABLE_SIZE];
static uint8_t present[KEY_SPACE];
static uint32_t probes, occupied, rehashes;

static uint32_t slot_of(uint32_t key)
{
    return (uint32_t)(fmix64(key) >> (64 - TABLE_BITS));
}

static Slot *find(uint32_t key)
{
    for (uint32_t i = slot_of(key);; i = (i + 1) & (TABLE_SIZE - 1)) {
        probes++;
        if (table[i].state == EMPTY) {
            return NULL;
        }
        if (table[i].state == USED && table[i].key == key) {
            return &table[i];
        }
    }
}

static void place(uint32_t key, uint32_t value)
{
    for (uint32_t i = slot_of(key);; i = (i + 1) & (TABLE_SIZE - 1)) {
        probes++;
        if (table[i].state != USED) {
            occupied += table[i].state == EMPTY;
            table[i].key = key;
            table[i].value = value;
            table[i].state = USED;
            return;
        }
    }
}

/* Drop the tombstones: find() needs empty slots to stop at. */
static void rehash(void)
{
    memcpy(old_table, table, sizeof(table));
    memset(table, 0, sizeof(table));
    occupied = 0;
    rehashes++;
    for (uint32_t i = 0; i < TABLE_SIZE; i++) {
        if (old_table[i].state == USED) {
            place(old_table[i].key, old_table[i].value);
        }
    }
}

static void insert(uint32_t key, uint32_t value)
{
    Slot *s = find(key);

    if (s) {
        s->value = value;
        return;
    }
    place(key, value);
    if (occupied > TABLE_SIZE / 4 * 3) {
        rehash();
    }
}

static int erase(uint32_t key)
{
    Slot *s = find(key);

    if (!s) {
        return 0;
    }
    s->state = DELETED;
    return 1;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    static const char fox[] = "The quick brown fox jumps over the lazy dog";
    uint32_t sum = 0;

    printf("hash: FNV-1a, djb2, one-at-a-time, murmur3, hash table\n");
    CHECK_EQ(fnv1a32("", 0), 0x811c9dc5u);
    CHECK_EQ(fnv1a32("a", 1), 0xe40c292cu);
    CHECK_EQ(fnv1a32("foobar", 6), 0xbf9cf968u);
    CHECK_EQ(fnv1a64("", 0), 0xcbf29ce484222325ull);
    CHECK_EQ(fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
    CHECK_EQ(fnv1a64("foobar", 6), 0x85944171f73967e8ull);
    CHECK_EQ(djb2(""), 5381);
    CHECK_EQ(djb2("a"), 177670);
    CHECK_EQ(one_at_a_time("a", 1), 0xca2e9442u);
    CHECK_EQ(one_at_a_time(fox, sizeof(fox) - 1), 0x519e91f5u);
    CHECK_EQ(murmur3_32("", 0, 0), 0);
    CHECK_EQ(murmur3_32("", 0, 1), 0x514e28b7u);
    CHECK_EQ(murmur3_32("", 0, 0xffffffffu), 0x81f16f39u);
    CHECK_EQ(murmur3_32("test", 4, 0), 0xba6bd213u);
    CHECK_EQ(murmur3_32("Hello, world!", 13, 1234), 0xfaf6cdb3u);
    printf("  known vectors checked\n");

    /* Hash every prefix of a generated text with each function. */
    static char text[4096];
    uint32_t rng = 0x0badf00d;
    for (size_t i = 0; i < sizeof(text) - 1; i++) {
        text[i] = (char)(' ' + xorshift32(&rng) % 95);
    }
    uint32_t h = 0;
    for (size_t n = 0; n < sizeof(text) - 1; n += 41) {
        char saved = text[n];
        text[n] = '\0';
        h = mix32(h, djb2(text));
        text[n] = saved;
        h = mix32(h, fnv1a32(text, n));
        uint64_t h64 = fnv1a64(text, n);
        h = mix32(h, (uint32_t)(h64 >> 32) ^ (uint32_t)h64);
        h = mix32(h, one_at_a_time(text, n));
        h = mix32(h, murmur3_32(text + (n & 3), n - (n & 3), (uint32_t)n));
    }
    printf("  prefix hashes: %08x\n", h);
    sum = mix32(sum, h);

    /* Insert, overwrite, delete, re-insert; then verify everything. */
    uint32_t live = 0;
    for (int round = 0; round < 3; round++) {
        for (uint32_t i = 0; i < 20000; i++) {
            uint32_t key =
                (uint32_t)round * 3000 + xorshift32(&rng) % KEY_WINDOW;
            if ((xorshift32(&rng) & 3) == 0) {
                int was = erase(key);
                CHECK_EQ(was, present[key]);
                live -= (uint32_t)was;
                present[key] = 0;
            } else {
                insert(key, key * 2654435761u);
                live += !present[key];
                present[key] = 1;
            }
        }
        uint32_t found = 0;
        for (uint32_t key = 0; key < KEY_SPACE; key++) {
            Slot *s = find(key);
            if ((s != NULL) != present[key] ||
                (s && s->value != key * 2654435761u)) {
                CHECK(0);
                break;
            }
            found += s != NULL;
        }
        CHECK_EQ(found, live);
        printf("  round %d: %u keys live, %u probes, %u rehashes so far\n",
               round, live, probes, rehashes);
        sum = mix32(mix32(sum, live), probes);
    }
    return rt_finish("hash", sum);
}
