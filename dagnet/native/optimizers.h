/* The optimisers of dagnet/optimizers.py, for the fused epoch: the same operations in the
 * same order, so that a fused epoch equals the per-step path to the last bit (kernel.c is built
 * with -ffp-contract=off: no multiply-add is fused behind the code's back).
 */
#ifndef DAGNET_OPTIMIZERS_H
#define DAGNET_OPTIMIZERS_H

#include <math.h>
#include <stdint.h>

enum { OPT_SGD = 0, OPT_MOMENTUM, OPT_NESTEROV, OPT_ADAM };

typedef struct {
    int kind;
    double lr, a, b, eps;      /* momentum: a = μ;  adam: a = β1, b = β2 */
    double *s1, *s2;           /* velocity / buffer / m, and v */
    int64_t t;
} Opt;

static void opt_step(Opt *o, double *p, const double *g, int64_t P)
{
    o->t++;
    switch (o->kind) {
    case OPT_SGD:
        for (int64_t i = 0; i < P; i++) p[i] -= o->lr * g[i];
        break;
    case OPT_MOMENTUM:          /* v ← μ v − η g;  w ← w + v */
        for (int64_t i = 0; i < P; i++) {
            o->s1[i] = o->s1[i] * o->a - o->lr * g[i];
            p[i] += o->s1[i];
        }
        break;
    case OPT_NESTEROV:          /* b ← μ b + g;  w ← w − η (g + μ b) */
        for (int64_t i = 0; i < P; i++) {
            o->s1[i] = o->s1[i] * o->a + g[i];
            p[i] -= o->lr * (g[i] + o->a * o->s1[i]);
        }
        break;
    default: {                  /* Adam with bias-corrected moments */
        double c1 = 1.0 - pow(o->a, (double)o->t), c2 = 1.0 - pow(o->b, (double)o->t);
        double k1 = 1.0 - o->a, k2 = 1.0 - o->b;
        for (int64_t i = 0; i < P; i++) {
            o->s1[i] = o->s1[i] * o->a + k1 * g[i];
            o->s2[i] = o->s2[i] * o->b + k2 * g[i] * g[i];
            double m_hat = o->s1[i] / c1, v_hat = o->s2[i] / c2;
            p[i] -= o->lr * m_hat / (sqrt(v_hat) + o->eps);
        }
    }
    }
}

#endif
