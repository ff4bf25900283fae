/*
 * The decimal text of doubles as ECMAScript's Number::toString writes it (JSON.stringify's text of a finite
 * number): the shortest digits that read back as the same double, the closest such to it, ties to even.
 * The digits come from Ulf Adams's Ryu method ("Ryu: fast float-to-string conversion", PLDI 2018), written
 * anew here: the value's rounding interval is scaled by a power of five taken from a 125-bit table, and
 * digits are removed while the interval still holds a shorter number.
 *
 * Built to WebAssembly by scripts/build-number-text.mjs (zig cc, freestanding: no libc); `number-text.test.ts`
 * compares its text with JSON.stringify's for millions of doubles.
 */
#include <stdbool.h>
#include <stdint.h>

#define POW5_INV_BITS 125
#define POW5_BITS 125
#define POW5_INV_COUNT 342
#define POW5_COUNT 326

/*
 * [low, high] 64-bit halves of floor(2^(bits(5^q) − 1 + 125) / 5^q) + 1 (q < 342), and of 5^i scaled to its
 * top 125 bits (i < 326). The build script computes them exactly (big integers) into this header.
 */
#include "number-text-tables.h"

/* bits(5^e) for 0 <= e <= 3528; floor(log10(2^e)) for e <= 1650; floor(log10(5^e)) for e <= 2620. */
static inline int32_t pow5_bits(int32_t e) { return (int32_t)(((uint32_t)e * 1217359u) >> 19) + 1; }
static inline uint32_t log10_pow2(int32_t e) { return ((uint32_t)e * 78913u) >> 18; }
static inline uint32_t log10_pow5(int32_t e) { return ((uint32_t)e * 732923u) >> 20; }

static inline uint32_t pow5_factor(uint64_t v) {
  uint32_t count = 0;
  for (;;) {
    uint64_t q = v / 5;
    if (v - 5 * q != 0) return count;
    v = q;
    count++;
  }
}

/* The low 64 bits of a * b, and the high 64 in *hi (wasm has no 128-bit product: four 32-bit ones). */
static inline uint64_t mul128(uint64_t a, uint64_t b, uint64_t *hi) {
  uint64_t a_lo = (uint32_t)a, a_hi = a >> 32, b_lo = (uint32_t)b, b_hi = b >> 32;
  uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  uint64_t mid1 = hl + (ll >> 32);
  uint64_t mid2 = lh + (uint32_t)mid1;
  *hi = hh + (mid1 >> 32) + (mid2 >> 32);
  return (mid2 << 32) | (uint32_t)ll;
}

static inline uint64_t shr128(uint64_t lo, uint64_t hi, int32_t s) { return (hi << (64 - s)) | (lo >> s); }

/*
 * vr, vp, vm = (4m2, 4m2 + 2, 4m2 − 1 − mm_shift) × mul >> j from one product P = m2 × mul (192 bits):
 * 4P >> j = 2P >> (j − 1), (2P + mul) >> (j − 1), and (2P − mul) >> (j − 1) or (4P − mul) >> j.
 */
static inline uint64_t mul_shift_all(uint64_t m2, const uint64_t *mul, int32_t j, uint32_t mm_shift, uint64_t *vp, uint64_t *vm) {
  uint64_t t, hi;
  const uint64_t lo = mul128(m2, mul[0], &t);
  uint64_t mid = mul128(m2, mul[1], &hi);
  mid += t;
  hi += mid < t;
  /* 2P */
  const uint64_t lo2 = lo << 1, mid2 = (mid << 1) | (lo >> 63), hi2 = (hi << 1) | (mid >> 63);
  const int32_t s = j - 1 - 64;
  /* 2P + mul */
  {
    const uint64_t a = lo2 + mul[0];
    const uint64_t c0 = a < lo2;
    const uint64_t b = mid2 + mul[1];
    const uint64_t c1 = b < mid2;
    const uint64_t b2 = b + c0;
    const uint64_t c2 = c1 | (b2 < b);
    *vp = shr128(b2, hi2 + c2, s);
  }
  if (mm_shift) { /* 2P − mul */
    const uint64_t borrow0 = lo2 < mul[0];
    const uint64_t b = mid2 - mul[1];
    const uint64_t borrow1 = mid2 < mul[1];
    const uint64_t b2 = b - borrow0;
    const uint64_t borrow2 = borrow1 | (b < borrow0);
    *vm = shr128(b2, hi2 - borrow2, s);
  } else { /* 4P − mul, shifted by j */
    const uint64_t lo4 = lo2 << 1, mid4 = (mid2 << 1) | (lo2 >> 63), hi4 = (hi2 << 1) | (mid2 >> 63);
    const uint64_t borrow0 = lo4 < mul[0];
    const uint64_t b = mid4 - mul[1];
    const uint64_t borrow1 = mid4 < mul[1];
    const uint64_t b2 = b - borrow0;
    const uint64_t borrow2 = borrow1 | (b < borrow0);
    *vm = shr128(b2, hi4 - borrow2, j - 64);
  }
  return shr128(mid2, hi2, s);
}

/* Shortest digits (*digits, a number) and the power of ten they are scaled by (returned). */
static int32_t shortest(uint64_t ieee_mantissa, uint32_t ieee_exponent, uint64_t *digits) {
  int32_t e2;
  uint64_t m2;
  if (ieee_exponent == 0) {
    e2 = 1 - 1023 - 52 - 2;
    m2 = ieee_mantissa;
  } else {
    e2 = (int32_t)ieee_exponent - 1023 - 52 - 2;
    m2 = (1ull << 52) | ieee_mantissa;
  }
  const bool accept_bounds = (m2 & 1) == 0; /* an even mantissa: the interval's ends read back to it */
  const uint64_t mv = 4 * m2;
  const uint32_t mm_shift = ieee_mantissa != 0 || ieee_exponent <= 1; /* the lower neighbour is closer at a power of two */
  const uint64_t mp = mv + 2, mm = mv - 1 - mm_shift;

  uint64_t vr, vp, vm;
  int32_t e10;
  bool vm_trailing_zeros = false, vr_trailing_zeros = false;
  if (e2 >= 0) {
    const uint32_t q = log10_pow2(e2) - (e2 > 3);
    e10 = (int32_t)q;
    const int32_t k = POW5_INV_BITS + pow5_bits((int32_t)q) - 1;
    const int32_t i = -e2 + (int32_t)q + k;
    vr = mul_shift_all(m2, pow5_inv[q], i, mm_shift, &vp, &vm);
    if (q <= 21) {
      /* only here can the scaled values be exact (mv < 2^55 has at most 23 factors of five) */
      if (mv % 5 == 0) vr_trailing_zeros = pow5_factor(mv) >= q;
      else if (accept_bounds) vm_trailing_zeros = pow5_factor(mm) >= q;
      else vp -= pow5_factor(mp) >= q;
    }
  } else {
    const uint32_t q = log10_pow5(-e2) - (-e2 > 1);
    e10 = (int32_t)q + e2;
    const int32_t i = -e2 - (int32_t)q;
    const int32_t k = pow5_bits(i) - POW5_BITS;
    const int32_t j = (int32_t)q - k;
    vr = mul_shift_all(m2, pow5[i], j, mm_shift, &vp, &vm);
    if (q <= 1) {
      vr_trailing_zeros = true;
      if (accept_bounds) vm_trailing_zeros = mm_shift == 1;
      else vp--;
    } else if (q < 63) {
      vr_trailing_zeros = (mv & ((1ull << q) - 1)) == 0;
    }
  }

  int32_t removed = 0;
  uint32_t last_removed = 0;
  uint64_t output;
  if (vm_trailing_zeros || vr_trailing_zeros) {
    /* rare: exact values, where ties and the interval's inclusive end matter */
    for (;;) {
      const uint64_t vp10 = vp / 10, vm10 = vm / 10;
      if (vp10 <= vm10) break;
      const uint64_t vr10 = vr / 10;
      vm_trailing_zeros &= vm - 10 * vm10 == 0;
      vr_trailing_zeros &= last_removed == 0;
      last_removed = (uint32_t)(vr - 10 * vr10);
      vr = vr10;
      vp = vp10;
      vm = vm10;
      removed++;
    }
    if (vm_trailing_zeros) {
      for (;;) {
        const uint64_t vm10 = vm / 10;
        if (vm - 10 * vm10 != 0) break;
        const uint64_t vr10 = vr / 10;
        vr_trailing_zeros &= last_removed == 0;
        last_removed = (uint32_t)(vr - 10 * vr10);
        vr = vr10;
        vp /= 10;
        vm = vm10;
        removed++;
      }
    }
    if (vr_trailing_zeros && last_removed == 5 && vr % 2 == 0) last_removed = 4; /* a tie: to even */
    output = vr + ((vr == vm && (!accept_bounds || !vm_trailing_zeros)) || last_removed >= 5);
  } else {
    bool round_up = false;
    if (vp / 100 > vm / 100) {
      round_up = vr % 100 >= 50;
      vr /= 100;
      vp /= 100;
      vm /= 100;
      removed += 2;
    }
    for (;;) {
      const uint64_t vp10 = vp / 10, vm10 = vm / 10;
      if (vp10 <= vm10) break;
      const uint64_t vr10 = vr / 10;
      round_up = vr - 10 * vr10 >= 5;
      vr = vr10;
      vp = vp10;
      vm = vm10;
      removed++;
    }
    output = vr + (vr == vm || round_up);
  }
  *digits = output;
  return e10 + removed;
}


static const uint64_t POW10[19] = {
  1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull, 1000000000ull,
  10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull, 100000000000000ull,
  1000000000000000ull, 10000000000000000ull, 100000000000000000ull, 1000000000000000000ull,
};

/* Decimal digits of 0 < v < 10^18: from its bit length (× log10(2) ≈ 1233 / 4096), then one comparison. */
static inline int32_t digit_count(uint64_t v) {
  const int32_t t = ((64 - __builtin_clzll(v)) * 1233) >> 12;
  return t - (v < POW10[t]) + 1;
}

static const char PAIRS[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

static inline void put_pair(uint8_t *p, uint32_t two) {
  p[0] = (uint8_t)PAIRS[2 * two];
  p[1] = (uint8_t)PAIRS[2 * two + 1];
}

/* The k digits of v (k its exact digit count) at d[0…k), two at a time. */
static inline void put_digits(uint8_t *d, uint64_t v, int32_t k) {
  uint8_t *p = d + k;
  if (v >= 100000000u) { /* the low eight digits, with their zeros, from a 32-bit remainder */
    const uint64_t hi = v / 100000000u;
    uint32_t lo = (uint32_t)(v - hi * 100000000u);
    const uint32_t c = lo % 10000u, e = lo / 10000u;
    put_pair(p - 2, c % 100);
    put_pair(p - 4, c / 100);
    put_pair(p - 6, e % 100);
    put_pair(p - 8, e / 100);
    p -= 8;
    v = hi;
  }
  uint32_t w = (uint32_t)v;
  while (w >= 100) {
    const uint32_t q = w / 100;
    p -= 2;
    put_pair(p, w - 100 * q);
    w = q;
  }
  if (w >= 10) put_pair(p - 2, w);
  else p[-1] = (uint8_t)('0' + w);
}

/* One number's text at out; returns its end. Non-finite numbers are `null`, as in JSON. */
static uint8_t *format_one(double value, uint8_t *out) {
  union { double d; uint64_t u; } bits = {value};
  const uint64_t ieee_mantissa = bits.u & ((1ull << 52) - 1);
  const uint32_t ieee_exponent = (uint32_t)((bits.u >> 52) & 0x7ff);
  if (ieee_exponent == 0x7ff) {
    out[0] = 'n'; out[1] = 'u'; out[2] = 'l'; out[3] = 'l';
    return out + 4;
  }
  if (ieee_exponent == 0 && ieee_mantissa == 0) { /* 0 and -0 */
    *out = '0';
    return out + 1;
  }
  if (bits.u >> 63) *out++ = '-';
  uint64_t digits;
  const int32_t e10 = shortest(ieee_mantissa, ieee_exponent, &digits);
  const int32_t k = digit_count(digits);
  const int32_t n = e10 + k; /* the value is 0.d1…dk × 10^n */
  if (0 < n && n < k) { /* a point inside the digits: written one place right, then the first n move left */
    put_digits(out + 1, digits, k);
    for (int32_t i = 0; i < n; i++) out[i] = out[i + 1];
    out[n] = '.';
    return out + k + 1;
  }
  if (k <= n && n <= 21) { /* an integer: the digits, then n − k zeros */
    put_digits(out, digits, k);
    out += k;
    for (int32_t i = k; i < n; i++) *out++ = '0';
    return out;
  }
  if (-6 < n && n <= 0) { /* 0.000ddd */
    *out++ = '0';
    *out++ = '.';
    for (int32_t i = n; i < 0; i++) *out++ = '0';
    put_digits(out, digits, k);
    return out + k;
  }
  /* d.ddde±x */
  put_digits(out + 1, digits, k);
  out[0] = out[1];
  if (k > 1) {
    out[1] = '.';
    out += k + 1;
  } else {
    out += 1;
  }
  int32_t e = n - 1;
  *out++ = 'e';
  *out++ = e < 0 ? '-' : '+';
  if (e < 0) e = -e;
  if (e >= 100) *out++ = (uint8_t)('0' + e / 100);
  if (e >= 10) *out++ = (uint8_t)('0' + e / 10 % 10);
  *out++ = (uint8_t)('0' + e % 10);
  return out;
}

/* JSON.stringify's text of an array of `count` numbers read at `in`, written at `out`; returns its length. */
uint32_t format_numbers(const double *in, uint32_t count, uint8_t *out) {
  uint8_t *p = out;
  *p++ = '[';
  for (uint32_t i = 0; i < count; i++) {
    if (i > 0) *p++ = ',';
    p = format_one(in[i], p);
  }
  *p++ = ']';
  return (uint32_t)(p - out);
}

/* Non-finite numbers as W&B reads them in a `value_json` (JSON has no token for them). */
static uint8_t *format_value(double value, uint8_t *out) {
  if (value - value == 0) return format_one(value, out);
  const char *text = value != value ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  while (*text) *out++ = (uint8_t)*text++;
  return out;
}

static inline uint8_t *copy_bytes(uint8_t *dst, const uint8_t *src, uint32_t n) {
  for (; n >= 8; n -= 8, dst += 8, src += 8) {
    uint64_t v;
    __builtin_memcpy(&v, src, 8);
    __builtin_memcpy(dst, &v, 8);
  }
  for (; n > 0; n--) *dst++ = *src++;
  return dst;
}

/*
 * The `item` fields of history rows whose values are all numbers, back to back at `out`: for value i, field 1
 * of a HistoryRecord holding the encoded `key` field of key ids[i] and `value_json` (field 16) with the
 * number's text (W&B's NaN, Infinity and -Infinity for non-finite numbers). Key k's encoded field is
 * keys[key_starts[k] … key_starts[k + 1]). ends[i] gets where value i's item ends. Returns the bytes written.
 */
uint32_t history_items(const double *in, const int32_t *ids, uint32_t count, const uint8_t *keys, const uint32_t *key_starts,
                       uint8_t *out, uint32_t *ends) {
  uint8_t *p = out;
  uint8_t token[32];
  for (uint32_t i = 0; i < count; i++) {
    const uint32_t token_length = (uint32_t)(format_value(in[i], token) - token);
    const uint32_t k = (uint32_t)ids[i];
    const uint32_t key_length = key_starts[k + 1] - key_starts[k];
    uint32_t length = key_length + 3 + token_length;
    *p++ = 0x0a; /* field 1, length-delimited */
    for (; length >= 0x80; length >>= 7) *p++ = (uint8_t)(length | 0x80);
    *p++ = (uint8_t)length;
    p = copy_bytes(p, keys + key_starts[k], key_length);
    *p++ = 0x82; /* field 16, length-delimited: two bytes of tag */
    *p++ = 0x01;
    *p++ = (uint8_t)token_length;
    p = copy_bytes(p, token, token_length);
    ends[i] = (uint32_t)(p - out);
  }
  return (uint32_t)(p - out);
}

