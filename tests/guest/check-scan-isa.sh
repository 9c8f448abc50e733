#!/bin/sh
# scan-isa must reject x87, MMX, SSE, AVX and 3DNow! instructions and
# accept integer code: a scanner that never fails would let FPU code into
# the guest tests unnoticed.  Assembles two small objects with $CC.

cd "$(dirname "$0")/../.." || exit 1

CC=${CC:-cc}
SCAN_ISA=tests/guest/build/scan-isa

if [ ! -x "$SCAN_ISA" ]; then
    echo "FAIL $SCAN_ISA is missing (make guests)"
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-scan-isa.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/clean.S" <<'ASM'
    .text
f:  addl %eax, %ebx
    imull %ecx
    rep movsb
    cmovel %edx, %eax
    bswap %esi
    daa
    ret
ASM
cat >"$tmp/bad.S" <<'ASM'
    .text
g:  fld1
    fnstcw (%esp)
    fnstsw %ax
    movd %eax, %mm0
    emms
    addps %xmm1, %xmm0
    cvtsi2sd %eax, %xmm2
    vaddps %ymm0, %ymm1, %ymm2
    pfadd %mm1, %mm0
    ret
ASM

failed=0
if ! "$CC" -m32 -c -o "$tmp/clean.o" "$tmp/clean.S" ||
   ! "$CC" -m32 -c -o "$tmp/bad.o" "$tmp/bad.S"; then
    echo "FAIL cannot assemble the test objects with $CC -m32"
    exit 1
fi

if "$SCAN_ISA" "$tmp/clean.o" >"$tmp/clean.log" 2>&1; then
    echo "PASS integer code accepted"
else
    echo "FAIL integer code rejected:"
    sed 's/^/    /' "$tmp/clean.log"
    failed=1
fi

"$SCAN_ISA" "$tmp/bad.o" >"$tmp/bad.log" 2>&1
status=$?
# One report line per instruction except ret: nine.
nbad=$(grep -c '^  ' "$tmp/bad.log")
if [ "$status" -eq 1 ] && [ "$nbad" -eq 9 ]; then
    echo "PASS all 9 FP/vector instructions rejected"
else
    echo "FAIL status $status and $nbad reports, want 1 and 9:"
    sed 's/^/    /' "$tmp/bad.log"
    failed=1
fi

if "$SCAN_ISA" "$tmp/clean.S" >/dev/null 2>&1; then
    echo "FAIL a non-ELF file was accepted"
    failed=1
else
    echo "PASS a non-ELF file is an error"
fi
exit $failed
