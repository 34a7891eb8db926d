/* Activations and their derivatives on arrays of doubles, by the codes of dagnet/native/spec.py.
 *
 * Each rule reproduces the record of the same name in dagnet/activations.py:
 * forward z = σ(s), and d *= σ'(s) written from (s, z) as that record writes it.
 */
#ifndef DAGNET_ACTIVATIONS_H
#define DAGNET_ACTIVATIONS_H

#include "vmath.h"

enum {
    ACT_LINEAR = 0, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU, ACT_SOFTPLUS,
    ACT_SWISH, ACT_SOFTSIGN, ACT_GAUSSIAN, ACT_SIN, ACT_SOFTMAX, ACT_COUNT
};

#define LEAKY_SLOPE 0.01

static inline double softplus(double x) { return (x > 0.0 ? x : 0.0) + log1p(exp(-fabs(x))); }

/* z = σ(s) for n values (softmax is done over the outputs by the caller). */
static void act_forward(int code, const double *s, double *z, int64_t n)
{
    int64_t i;
    switch (code) {
    case ACT_SIGMOID: vm_sigmoid_array(s, z, n); break;
    case ACT_TANH: vm_tanh_array(s, z, n); break;
    case ACT_RELU: for (i = 0; i < n; i++) z[i] = s[i] > 0.0 ? s[i] : 0.0; break;
    case ACT_LEAKY_RELU: for (i = 0; i < n; i++) z[i] = s[i] > 0.0 ? s[i] : LEAKY_SLOPE * s[i]; break;
    case ACT_ELU:
        for (i = 0; i < n; i++) z[i] = s[i] > 0.0 ? s[i] : vm_expm1(s[i] < 0.0 ? s[i] : 0.0);
        break;
    case ACT_SOFTPLUS: for (i = 0; i < n; i++) z[i] = softplus(s[i]); break;
    case ACT_SWISH:
        vm_sigmoid_array(s, z, n);
        for (i = 0; i < n; i++) z[i] = s[i] * z[i];
        break;
    case ACT_SOFTSIGN: for (i = 0; i < n; i++) z[i] = s[i] / (1.0 + fabs(s[i])); break;
    case ACT_GAUSSIAN:
        for (i = 0; i < n; i++) z[i] = -(s[i] * s[i]);
        vm_exp_array(z, z, n);
        break;
    case ACT_SIN: for (i = 0; i < n; i++) z[i] = sin(s[i]); break;
    default: /* linear */
        if (z != s) memcpy(z, s, (size_t)n * sizeof(double));
    }
}

/* d *= σ'(s), given z = σ(s); tmp has room for n values. */
static void act_scale(int code, double *d, const double *s, const double *z, double *tmp, int64_t n)
{
    int64_t i;
    switch (code) {
    case ACT_SIGMOID: for (i = 0; i < n; i++) d[i] *= (1.0 - z[i]) * z[i]; break;
    case ACT_TANH: for (i = 0; i < n; i++) d[i] -= (z[i] * z[i]) * d[i]; break;
    case ACT_RELU: for (i = 0; i < n; i++) d[i] = s[i] > 0.0 ? d[i] : 0.0 * d[i]; break;
    case ACT_LEAKY_RELU: for (i = 0; i < n; i++) d[i] *= s[i] > 0.0 ? 1.0 : LEAKY_SLOPE; break;
    case ACT_ELU: for (i = 0; i < n; i++) d[i] *= s[i] > 0.0 ? 1.0 : z[i] + 1.0; break;
    case ACT_SOFTPLUS:
        vm_sigmoid_array(s, tmp, n);
        for (i = 0; i < n; i++) d[i] *= tmp[i];
        break;
    case ACT_SWISH:
        vm_sigmoid_array(s, tmp, n);
        for (i = 0; i < n; i++) d[i] *= z[i] + tmp[i] * (1.0 - z[i]);
        break;
    case ACT_SOFTSIGN:
        for (i = 0; i < n; i++) { double a = 1.0 + fabs(s[i]); d[i] *= 1.0 / (a * a); }
        break;
    case ACT_GAUSSIAN: for (i = 0; i < n; i++) d[i] *= -2.0 * s[i] * z[i]; break;
    case ACT_SIN: for (i = 0; i < n; i++) d[i] *= cos(s[i]); break;
    default: break; /* linear: σ' = 1 */
    }
}

#endif
