/* Vectorisable transcendental functions for the native kernel.
 *
 * Portable versions: branch-free C that gcc turns into SIMD code when it
 * vectorises the calling loop. Range reduction x = k ln2 + r, |r| <= ln2/2,
 * a degree-13 Taylor polynomial for expm1(r) (truncation error < 1e-17
 * relative) evaluated by Estrin's scheme with fused multiply-adds, and 2^k
 * built from the exponent bits. Relative error is a few
 * ulps (<= 1e-14 checked by tests/test_native.py) wherever the result is a
 * normal double; results below 2.2e-308 are flushed towards that bound
 * (an absolute error under 1e-307).
 *
 * Where glibc's libmvec is available and the build targets AVX2
 * (DAGNET_LIBMVEC), exp (and the logistic function built on it) over whole
 * tiles call its 4-wide version instead (_ZGVdN4v_exp; 4 ulp or better).
 * tanh stays portable: with fused multiply-adds it is faster than
 * libmvec's _ZGVdN4v_tanh here (2.2 against 3.6 ns a value on the Zen 3
 * this was tuned on; benchmarks/bounds.py measures both).
 */
#ifndef DAGNET_VMATH_H
#define DAGNET_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define VM_LOG2E 1.4426950408889634074
#define VM_LN2_HI 6.93147180369123816490e-01
#define VM_LN2_LO 1.90821492927058770002e-10
#define VM_SHIFTER 6755399441055744.0          /* 1.5 * 2^52: adding it rounds to an integer */
#define VM_SHIFTER_BITS 0x4338000000000000ULL

static inline double vm_bits_to_double(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static inline uint64_t vm_double_to_bits(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }

#ifdef __FMA__
#define VM_FMA(a, b, c) __builtin_fma((a), (b), (c))
#else
#define VM_FMA(a, b, c) ((a) * (b) + (c))
#endif

/* expm1(r) for |r| <= ln2/2: r + r^2 (1/2! + r/3! + ... + r^11/13!), the bracket by Estrin's
 * scheme (pairs, then powers r^2, r^4, r^8), which keeps the chain of dependent operations short. */
static inline double vm_expm1_poly(double r)
{
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double a0 = VM_FMA(r, 1.0 / 6.0, 0.5);
    double a1 = VM_FMA(r, 1.0 / 120.0, 1.0 / 24.0);
    double a2 = VM_FMA(r, 1.0 / 5040.0, 1.0 / 720.0);
    double a3 = VM_FMA(r, 1.0 / 362880.0, 1.0 / 40320.0);
    double a4 = VM_FMA(r, 1.0 / 39916800.0, 1.0 / 3628800.0);
    double a5 = VM_FMA(r, 1.0 / 6227020800.0, 1.0 / 479001600.0);
    double b0 = VM_FMA(a1, r2, a0), b1 = VM_FMA(a3, r2, a2), b2 = VM_FMA(a5, r2, a4);
    double q = VM_FMA(b2, r8, VM_FMA(b1, r4, b0));
    return VM_FMA(r2, q, r);
}

/* x = k ln2 + r; returns r and sets *two_k = 2^k. x must lie in [-708, 709.7]. */
static inline double vm_reduce(double x, double *two_k)
{
    double t = VM_FMA(x, VM_LOG2E, VM_SHIFTER);
    double k = t - VM_SHIFTER;
    uint64_t kbits = vm_double_to_bits(t) - VM_SHIFTER_BITS;   /* k as a two's complement integer */
    *two_k = vm_bits_to_double((kbits + 1023ULL) << 52);
    return VM_FMA(-k, VM_LN2_LO, VM_FMA(-k, VM_LN2_HI, x));
}

static inline double vm_exp(double x)
{
    double two_k;
    x = x < -708.0 ? -708.0 : (x > 709.7 ? 709.7 : x);
    double r = vm_reduce(x, &two_k);
    return VM_FMA(two_k, vm_expm1_poly(r), two_k);
}

static inline double vm_expm1(double x)
{
    double two_k;
    x = x < -40.0 ? -40.0 : (x > 709.7 ? 709.7 : x);
    double r = vm_reduce(x, &two_k);
    return VM_FMA(two_k, vm_expm1_poly(r), two_k - 1.0);
}

/* tanh(x) = sign(x) e / (e + 2), e = expm1(2|x|): no cancellation near 0. */
static inline double vm_tanh(double x)
{
    double a = fabs(x);
    a = a > 20.0 ? 20.0 : a;                   /* tanh(20) rounds to 1 */
    double e = vm_expm1(2.0 * a);
    return copysign(e / (e + 2.0), x);
}

/* The logistic function, as scipy's expit: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below. */
static inline double vm_sigmoid(double x)
{
    double e = vm_exp(-fabs(x));
    double r = 1.0 / (1.0 + e);
    return x >= 0.0 ? r : e * r;
}

/* --- whole arrays (n a multiple of 4 where libmvec is used) --------------------- */

#if defined(DAGNET_LIBMVEC) && defined(__AVX2__)
#include <immintrin.h>
__m256d _ZGVdN4v_exp(__m256d);
#define VM_HAVE_LIBMVEC 1
#else
#define VM_HAVE_LIBMVEC 0
#endif

/* When nonzero, the array functions use the portable code even where libmvec is there. */
static int vm_force_portable = 0;

static void vm_tanh_array(const double *x, double *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = vm_tanh(x[i]);
}

static void vm_exp_array(const double *x, double *out, int64_t n)
{
#if VM_HAVE_LIBMVEC
    if (!vm_force_portable && n % 4 == 0) {
        for (int64_t i = 0; i < n; i += 4) {
            __m256d v = _mm256_max_pd(_mm256_loadu_pd(x + i), _mm256_set1_pd(-708.0));
            _mm256_storeu_pd(out + i, _ZGVdN4v_exp(v));
        }
        return;
    }
#endif
    for (int64_t i = 0; i < n; i++)
        out[i] = vm_exp(x[i]);
}

static void vm_expm1_array(const double *x, double *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = vm_expm1(x[i]);
}

static void vm_sigmoid_array(const double *x, double *out, int64_t n)
{
#if VM_HAVE_LIBMVEC
    if (!vm_force_portable && n % 4 == 0) {
        /* e = exp(-|x|) from libmvec, then the branch-free expit */
        const __m256d sign = _mm256_set1_pd(-0.0), one = _mm256_set1_pd(1.0);
        for (int64_t i = 0; i < n; i += 4) {
            __m256d v = _mm256_loadu_pd(x + i);
            __m256d neg_abs = _mm256_max_pd(_mm256_or_pd(v, sign), _mm256_set1_pd(-708.0));
            __m256d e = _ZGVdN4v_exp(neg_abs);
            __m256d r = _mm256_div_pd(one, _mm256_add_pd(one, e));
            __m256d below = _mm256_cmp_pd(v, _mm256_setzero_pd(), _CMP_LT_OQ);
            _mm256_storeu_pd(out + i, _mm256_blendv_pd(r, _mm256_mul_pd(e, r), below));
        }
        return;
    }
#endif
    for (int64_t i = 0; i < n; i++)
        out[i] = vm_sigmoid(x[i]);
}

#endif
