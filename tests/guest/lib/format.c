/*
 * printf-style formatting: flags "-0+ #", width and precision (also "*"),
 * length modifiers hh h l ll z j t, conversions d i u o x X c s p %.
 * No floating point: the guest CPU has no FPU.
 */
#include "rt.h"

/* Where formatted characters go: the console, or a bounded buffer. */
typedef struct Out {
    int console;        /* else the bounded buffer buf */
    char *buf;
    size_t size;
    size_t count;       /* characters produced, as printf returns */
    char pending[128];  /* console characters not yet written */
    size_t npending;
} Out;

static void out_flush(Out *o)
{
    if (o->npending) {
        platform_write(o->pending, o->npending);
        o->npending = 0;
    }
}

static void out_char(Out *o, char c)
{
    if (o->console) {
        if (o->npending == sizeof(o->pending)) {
            out_flush(o);
        }
        o->pending[o->npending++] = c;
    } else if (o->count + 1 < o->size) {
        o->buf[o->count] = c;
    }
    o->count++;
}

static void out_repeat(Out *o, char c, int n)
{
    while (n-- > 0) {
        out_char(o, c);
    }
}

enum {
    F_LEFT = 1,
    F_ZERO = 2,
    F_PLUS = 4,
    F_SPACE = 8,
    F_ALT = 16,
};

/*
 * Digits of v in base, least significant first, into tmp; returns how
 * many.  Values that fit in 32 bits take the 32-bit divide; the rest go
 * through __udivdi3/__umoddi3 like any 64-bit C division.
 */
static int to_digits(char *tmp, unsigned long long v, unsigned base,
                     int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;

    while (v > 0xffffffffull) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    uint32_t w = (uint32_t)v;
    do {
        tmp[n++] = digits[w % base];
        w /= base;
    } while (w);
    return n;
}

static void format_int(Out *o, unsigned long long v, int negative,
                       unsigned base, int upper, int flags, int width,
                       int prec)
{
    char tmp[24];
    char prefix[3];
    int nprefix = 0;
    int ndigits;

    if (prec == 0 && v == 0) {
        ndigits = 0;                    /* C: "%.0d" of 0 prints nothing */
    } else {
        ndigits = to_digits(tmp, v, base, upper);
    }
    if (negative) {
        prefix[nprefix++] = '-';
    } else if (flags & F_PLUS) {
        prefix[nprefix++] = '+';
    } else if (flags & F_SPACE) {
        prefix[nprefix++] = ' ';
    }
    if ((flags & F_ALT) && v != 0 && base == 16) {
        prefix[nprefix++] = '0';
        prefix[nprefix++] = upper ? 'X' : 'x';
    }
    int zeros = prec > ndigits ? prec - ndigits : 0;
    if ((flags & F_ALT) && base == 8 && zeros == 0 &&
        (ndigits == 0 || tmp[ndigits - 1] != '0')) {
        zeros = 1;                      /* "%#o": force a leading 0 */
    }
    int len = nprefix + zeros + ndigits;
    int pad = width > len ? width - len : 0;
    /* The 0 flag is ignored with "-" or with a precision (C11 7.21.6.1). */
    if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!(flags & F_LEFT)) {
        out_repeat(o, ' ', pad);
    }
    for (int i = 0; i < nprefix; i++) {
        out_char(o, prefix[i]);
    }
    out_repeat(o, '0', zeros);
    while (ndigits > 0) {
        out_char(o, tmp[--ndigits]);
    }
    if (flags & F_LEFT) {
        out_repeat(o, ' ', pad);
    }
}

static void format_str(Out *o, const char *s, int flags, int width, int prec)
{
    size_t len = 0;

    if (s == NULL) {
        s = "(null)";
    }
    while (s[len] && (prec < 0 || len < (size_t)prec)) {
        len++;
    }
    int pad = width > (int)len ? width - (int)len : 0;
    if (!(flags & F_LEFT)) {
        out_repeat(o, ' ', pad);
    }
    for (size_t i = 0; i < len; i++) {
        out_char(o, s[i]);
    }
    if (flags & F_LEFT) {
        out_repeat(o, ' ', pad);
    }
}

static int parse_uint(const char **p)
{
    int n = 0;

    while (**p >= '0' && **p <= '9') {
        n = n * 10 + (**p - '0');
        (*p)++;
    }
    return n;
}

static void format(Out *o, const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            out_char(o, *p);
            continue;
        }
        p++;

        int flags = 0;
        for (;; p++) {
            if (*p == '-') {
                flags |= F_LEFT;
            } else if (*p == '0') {
                flags |= F_ZERO;
            } else if (*p == '+') {
                flags |= F_PLUS;
            } else if (*p == ' ') {
                flags |= F_SPACE;
            } else if (*p == '#') {
                flags |= F_ALT;
            } else {
                break;
            }
        }

        int width = 0;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = -width;
            }
            p++;
        } else {
            width = parse_uint(&p);
        }

        int prec = -1;
        if (*p == '.') {
            p++;
            if (*p == '*') {
                prec = va_arg(ap, int);
                p++;
            } else {
                prec = parse_uint(&p);
            }
        }

        /* 0: int, 1: long, 2: long long, -1: short, -2: char */
        int size = 0;
        if (*p == 'h') {
            size = -1;
            if (*++p == 'h') {
                size = -2;
                p++;
            }
        } else if (*p == 'l') {
            size = 1;
            if (*++p == 'l') {
                size = 2;
                p++;
            }
        } else if (*p == 'z' || *p == 't') {
            size = 1;           /* size_t and ptrdiff_t are long-sized */
            p++;
        } else if (*p == 'j') {
            size = 2;
            p++;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            long long v;
            if (size == 2) {
                v = va_arg(ap, long long);
            } else if (size == 1) {
                v = va_arg(ap, long);
            } else {
                v = va_arg(ap, int);
                if (size == -1) {
                    v = (short)v;
                } else if (size == -2) {
                    v = (signed char)v;
                }
            }
            unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v
                                           : (unsigned long long)v;
            format_int(o, mag, v < 0, 10, 0, flags, width, prec);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            unsigned long long v;
            if (size == 2) {
                v = va_arg(ap, unsigned long long);
            } else if (size == 1) {
                v = va_arg(ap, unsigned long);
            } else {
                v = va_arg(ap, unsigned int);
                if (size == -1) {
                    v = (unsigned short)v;
                } else if (size == -2) {
                    v = (unsigned char)v;
                }
            }
            unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            /* "+" and " " apply to signed conversions only. */
            format_int(o, v, 0, base, *p == 'X',
                       flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        }
        case 'p':
            format_int(o, (uintptr_t)va_arg(ap, void *), 0, 16, 0,
                       (flags | F_ALT) & ~(F_PLUS | F_SPACE), width, prec);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            int pad = width > 1 ? width - 1 : 0;
            if (!(flags & F_LEFT)) {
                out_repeat(o, ' ', pad);
            }
            out_char(o, c);
            if (flags & F_LEFT) {
                out_repeat(o, ' ', pad);
            }
            break;
        }
        case 's':
            format_str(o, va_arg(ap, const char *), flags, width, prec);
            break;
        case '%':
            out_char(o, '%');
            break;
        case '\0':
            p--;                /* lone "%" at the end: stop at the NUL */
            break;
        default:
            /* Unknown conversion: show it rather than lose it. */
            out_char(o, '%');
            out_char(o, *p);
            break;
        }
    }
}

int vprintf(const char *fmt, va_list ap)
{
    Out o = { .console = 1 };

    format(&o, fmt, ap);
    out_flush(&o);
    return (int)o.count;
}

int printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    Out o = { .buf = buf, .size = size };

    format(&o, fmt, ap);
    if (size) {
        buf[o.count < size ? o.count : size - 1] = '\0';
    }
    return (int)o.count;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int putchar(int c)
{
    char ch = (char)c;

    platform_write(&ch, 1);
    return (unsigned char)c;
}

int puts(const char *s)
{
    platform_write(s, strlen(s));
    platform_write("\n", 1);
    return 0;
}
