/*
 * The translation-block cache: lookup by key, page lists for invalidation,
 * a memory quota with flush-when-full.
 */
#include <stdlib.h>
#include <string.h>

#include "translate/interp.h"
#include "memory/tlb.h"
#include "translate/tb.h"

static uint32_t tb_hash(uint32_t pc, uint32_t flags)
{
    uint32_t h = pc * 0x9e3779b1u ^ flags * 0x85ebca6bu;
    return (h >> (32 - TB_HASH_BITS)) & ((1u << TB_HASH_BITS) - 1);
}

TBCache *tb_cache_new(size_t quota)
{
    TBCache *c = calloc(1, sizeof(*c));
    if (!c) {
        return NULL;
    }
    c->pages = g_hash_table_new(g_direct_hash, g_direct_equal);
    c->quota = quota;
    return c;
}

void tb_free(TranslationBlock *tb)
{
    interp_code_free(tb->interp);
    free(tb->insns);
    free(tb);
}

void tb_cache_free(TBCache *c)
{
    if (!c) {
        return;
    }
    tb_free_retired(c);
    for (TranslationBlock *tb = c->all, *next; tb; tb = next) {
        next = tb->all_next;
        tb_free(tb);
    }
    g_hash_table_destroy(c->pages);
    free(c);
}

TranslationBlock *tb_lookup(TBCache *c, uint32_t pc, uint32_t cs_base,
                            uint32_t flags, uint32_t phys_page0)
{
    for (TranslationBlock *tb = c->hash[tb_hash(pc, flags)]; tb;
         tb = tb->hash_next) {
        if (tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags &&
            tb->phys_page[0] == phys_page0) {
            return tb;
        }
    }
    return NULL;
}

static TranslationBlock *page_first(TBCache *c, uint32_t page)
{
    return g_hash_table_lookup(c->pages, GUINT_TO_POINTER(page >> 12));
}

static void page_set_first(TBCache *c, uint32_t page, TranslationBlock *tb)
{
    if (tb) {
        g_hash_table_insert(c->pages, GUINT_TO_POINTER(page >> 12), tb);
    } else {
        g_hash_table_remove(c->pages, GUINT_TO_POINTER(page >> 12));
    }
}

void tb_insert(TBCache *c, AddressSpace *as, TranslationBlock *tb)
{
    uint32_t h = tb_hash(tb->pc, tb->flags);
    tb->hash_next = c->hash[h];
    c->hash[h] = tb;
    for (int i = 0; i < 2; i++) {
        uint32_t page = tb->phys_page[i];
        if (page == UINT32_MAX) {
            continue;
        }
        tb->page_next[i] = page_first(c, page);
        page_set_first(c, page, tb);
        as_mark_code_page(as, page);
    }
    tb->all_next = c->all;
    c->all = tb;
    c->bytes += tb->host_bytes;
    c->ntranslated++;
}

/* Unlink TB from the hash chain and from the all-blocks list. */
static void tb_unlink(TBCache *c, TranslationBlock *tb)
{
    TranslationBlock **pp = &c->hash[tb_hash(tb->pc, tb->flags)];
    while (*pp && *pp != tb) {
        pp = &(*pp)->hash_next;
    }
    if (*pp) {
        *pp = tb->hash_next;
    }
    pp = &c->all;
    while (*pp && *pp != tb) {
        pp = &(*pp)->all_next;
    }
    if (*pp) {
        *pp = tb->all_next;
    }
    c->bytes -= tb->host_bytes;
}

/* Remove TB from the page list of its other page (not PAGE). */
static void tb_unlink_other_page(TBCache *c, TranslationBlock *tb,
                                 uint32_t page)
{
    for (int i = 0; i < 2; i++) {
        uint32_t p = tb->phys_page[i];
        if (p == UINT32_MAX || p == page) {
            continue;
        }
        TranslationBlock *first = page_first(c, p), *prev = NULL;
        for (TranslationBlock *t = first; t;) {
            int slot = t->phys_page[0] == p ? 0 : 1;
            if (t == tb) {
                if (prev) {
                    prev->page_next[prev->phys_page[0] == p ? 0 : 1] =
                        t->page_next[slot];
                } else {
                    page_set_first(c, p, t->page_next[slot]);
                }
                break;
            }
            prev = t;
            t = t->page_next[slot];
        }
    }
}

/* Retire TB: out of the lookup structures; freed at the loop's top. */
static void tb_retire(TBCache *c, TranslationBlock *tb)
{
    tb_unlink(c, tb);
    if (c->on_invalidate) {
        c->on_invalidate(c->opaque, tb);
    }
    /* The block may be running (self-modifying code): free it only
     * when the loop is back at its top. */
    tb->invalid = true;
    tb->all_next = c->retired;
    c->retired = tb;
    c->ninvalidated++;
}

/* Does TB's code overlap [start, end) of physical page PAGE? */
static bool tb_overlaps(const TranslationBlock *tb, uint32_t page,
                        uint32_t start, uint32_t end)
{
    uint32_t off = tb->pc & ~GUEST_PAGE_MASK;
    uint32_t first_end = off + tb->size;

    if (tb->phys_page[0] == page) {
        uint32_t e = first_end > GUEST_PAGE_SIZE ? GUEST_PAGE_SIZE : first_end;
        if (start < e && off < end) {
            return true;
        }
    }
    if (tb->phys_page[1] == page && first_end > GUEST_PAGE_SIZE) {
        return start < first_end - GUEST_PAGE_SIZE;
    }
    return false;
}

void tb_invalidate_range(TBCache *c, AddressSpace *as, uint32_t paddr,
                         uint32_t len)
{
    uint32_t page = paddr & GUEST_PAGE_MASK;
    uint32_t start = paddr & ~GUEST_PAGE_MASK;
    uint32_t end =
        start + len > GUEST_PAGE_SIZE ? GUEST_PAGE_SIZE : start + len;
    TranslationBlock *tb = page_first(c, page), *prev = NULL;

    while (tb) {
        int slot = tb->phys_page[0] == page ? 0 : 1;
        TranslationBlock *next = tb->page_next[slot];
        if (tb_overlaps(tb, page, start, end)) {
            if (prev) {
                prev->page_next[prev->phys_page[0] == page ? 0 : 1] = next;
            } else {
                page_set_first(c, page, next);
            }
            tb_unlink_other_page(c, tb, page);
            tb_retire(c, tb);
        } else {
            prev = tb;
        }
        tb = next;
    }
    if (!page_first(c, page)) {
        as_clear_code_page(as, page);
    }
}

void tb_flush(TBCache *c, AddressSpace *as)
{
    for (TranslationBlock *tb = c->all, *next; tb; tb = next) {
        next = tb->all_next;
        for (int i = 0; i < 2; i++) {
            if (tb->phys_page[i] != UINT32_MAX) {
                as_clear_code_page(as, tb->phys_page[i]);
            }
        }
        tb->invalid = true;
        tb->all_next = c->retired;
        c->retired = tb;
    }
    c->all = NULL;
    memset(c->hash, 0, sizeof(c->hash));
    g_hash_table_remove_all(c->pages);
    c->bytes = 0;
    c->nflushes++;
}

void tb_free_retired(TBCache *c)
{
    for (TranslationBlock *tb = c->retired, *next; tb; tb = next) {
        next = tb->all_next;
        tb_free(tb);
    }
    c->retired = NULL;
}
