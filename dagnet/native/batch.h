/* The batch: networks as the kernel holds them, and one batch run tile by tile over lanes.
 *
 * Included once by kernel.c (which documents the design); the tile code itself is tile.h,
 * instantiated here once per precision and tile size.
 */
#ifndef DAGNET_BATCH_H
#define DAGNET_BATCH_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"


#define MAX_LANES 4
/* A thread costs tens of µs to start and join, and on a shared machine a step waits for
 * its slowest thread: each one gets at least this many (edges + nodes) × samples of work,
 * else fewer threads run (the lanes, and so the results, stay the same). At a quarter of
 * this, W1 and W4 ran 5-40 % faster on two threads of an idle machine and twice as slow
 * on a busy one (benchmarks/threads.py, benchmarks/run.py). */
#define MIN_WORK_PER_THREAD (1 << 20)
#define PREFETCH_EDGES 8
#define N_TILE_SIZES 4
static const int TILE_SIZES[N_TILE_SIZES] = {4, 8, 16, 32};

enum { MODE_FORWARD = 0, MODE_BACKWARD = 1, MODE_TRAIN = 2 };
enum { LOSS_SSE = 0, LOSS_MSE, LOSS_CROSS_ENTROPY, LOSS_BCE };

typedef struct {
    void *S, *Z, *D;           /* N * T REALs each */
    size_t bytes;
    double *buf;               /* scratch: 8 T + n_out doubles */
} Work;

typedef struct {
    int64_t N, n_in, n_out, E, P, bias_base;
    int64_t *in_ptr, *in_src, *in_slot;      /* edges into each node, by target (then source) */
    int64_t *out_ptr, *out_dst, *out_slot;   /* edges out of each node, by source (then target) */
    int8_t *act;                             /* activation code per node, -1 for inputs */
    int64_t *out_cols, *out_pos;             /* output columns; position among outputs or -1 */
    int loss, softmax;
    double *mask;                            /* (P,) or NULL when every parameter trains */
    void *in_w, *out_w, *bias;               /* parameters gathered per call (as REAL) */
    double *lane_grad[MAX_LANES];            /* E + N each */
    Work work[MAX_LANES];
    double *tile_E;
    int64_t tile_E_cap;
    int busy;
} Net;

typedef struct {
    int mode, input_deltas, prefetch;
    int64_t n, n_tiles, lanes;
    const double *X, *Y, *S_in, *Z_in;
    double *S_out, *Z_out, *D_out, *outputs;
    const void *in_w, *out_w, *bias;
    double **lane_grad;
    double *tile_E;
    double delta_scale;
} Call;

/* --- the tile code, once per precision and tile size ---------------------------------- */

/* SIMD vectors as GCC vector types: VEC holds LANES REALs, NV = T / LANES of them make a row.
 * VFMA is one fused multiply-add where the target has it; HSUM adds a vector's lanes in a
 * fixed order, so that a dot product is reproducible. */
typedef double v4d __attribute__((vector_size(32)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
#if defined(__FMA__) && defined(__x86_64__)
#define VFMA_D(a, b, c) __builtin_ia32_vfmaddpd256((a), (b), (c))
#define VFMA_F8(a, b, c) __builtin_ia32_vfmaddps256((a), (b), (c))
#define VFMA_F4(a, b, c) __builtin_ia32_vfmaddps((a), (b), (c))
#else
#define VFMA_D(a, b, c) ((a) * (b) + (c))
#define VFMA_F8(a, b, c) ((a) * (b) + (c))
#define VFMA_F4(a, b, c) ((a) * (b) + (c))
#endif
#define HSUM4(q) (((q)[0] + (q)[2]) + ((q)[1] + (q)[3]))
#define HSUM8(q) ((((q)[0] + (q)[4]) + ((q)[2] + (q)[6])) + (((q)[1] + (q)[5]) + ((q)[3] + (q)[7])))

#define REAL double
#define REAL_IS_DOUBLE 1
#define VEC v4d
#define VFMA VFMA_D
#define HSUM HSUM4
#define T 4
#define NV (4 / 4)
#define SUF d4
#include "tile.h"
#undef NV
#undef T
#undef SUF
#define T 8
#define NV (8 / 4)
#define SUF d8
#include "tile.h"
#undef NV
#undef T
#undef SUF
#define T 16
#define NV (16 / 4)
#define SUF d16
#include "tile.h"
#undef NV
#undef T
#undef SUF
#define T 32
#define NV (32 / 4)
#define SUF d32
#include "tile.h"
#undef NV
#undef T
#undef SUF
#undef REAL
#undef REAL_IS_DOUBLE
#undef VEC
#undef VFMA
#undef HSUM

#define REAL float
#define REAL_IS_DOUBLE 0
#define VEC v4f
#define VFMA VFMA_F4
#define HSUM HSUM4
#define T 4
#define NV 1
#define SUF f4
#include "tile.h"
#undef T
#undef NV
#undef SUF
#undef VEC
#undef VFMA
#undef HSUM
#define VEC v8f
#define VFMA VFMA_F8
#define HSUM HSUM8
#define T 8
#define NV (8 / 8)
#define SUF f8
#include "tile.h"
#undef NV
#undef T
#undef SUF
#define T 16
#define NV (16 / 8)
#define SUF f16
#include "tile.h"
#undef NV
#undef T
#undef SUF
#define T 32
#define NV (32 / 8)
#define SUF f32
#include "tile.h"
#undef NV
#undef T
#undef SUF
#undef REAL
#undef REAL_IS_DOUBLE
#undef VEC
#undef VFMA
#undef HSUM

typedef void (*lane_fn)(const Net *, const Call *, Work *, int);
static const lane_fn LANES[2][N_TILE_SIZES] = {
    {lane_d4, lane_d8, lane_d16, lane_d32},
    {lane_f4, lane_f8, lane_f16, lane_f32},
};

/* --- one batch ------------------------------------------------------------------------- */

typedef struct {
    const Net *net;
    const Call *call;
    Work *work;
    lane_fn fn;
    int first, step;
} Job;

static void *run_job(void *arg)
{
    Job *job = (Job *)arg;
    for (int lane = job->first; lane < job->call->lanes; lane += job->step)
        job->fn(job->net, job->call, job->work, lane);
    return NULL;
}

static int grow(void **p, size_t bytes)
{
    void *q = realloc(*p, bytes ? bytes : 1);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

/* A fresh 64-byte aligned buffer in place of *p (its contents are not kept): tile rows are
 * loaded and stored as whole SIMD vectors. */
static int grow_aligned(void **p, size_t bytes)
{
    free(*p);
    *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    return *p ? 0 : -1;
}

/* Buffers for `threads` workers and `lanes` lanes; -1 when memory runs out. */
static int prepare(Net *net, int precision, int T, int threads, int64_t lanes, int64_t n_tiles)
{
    size_t real = precision ? sizeof(float) : sizeof(double);
    size_t bytes = (size_t)net->N * (size_t)T * real;
    for (int i = 0; i < threads; i++) {
        Work *w = &net->work[i];
        if (w->bytes < bytes) {
            if (grow_aligned(&w->S, bytes) || grow_aligned(&w->Z, bytes) || grow_aligned(&w->D, bytes))
                return -1;
            w->bytes = bytes;
        }
        if (!w->buf && grow_aligned((void **)&w->buf, (size_t)(8 * 32 + net->n_out + 8) * sizeof(double)))
            return -1;
    }
    for (int64_t l = 0; l < lanes; l++)
        if (!net->lane_grad[l] &&
            grow((void **)&net->lane_grad[l], (size_t)(net->E + net->N) * sizeof(double)))
            return -1;
    if (net->tile_E_cap < n_tiles) {
        if (grow((void **)&net->tile_E, (size_t)n_tiles * sizeof(double)))
            return -1;
        net->tile_E_cap = n_tiles;
    }
    return 0;
}

static void gather(Net *net, int precision, const double *params)
{
    int64_t E = net->E, N = net->N;
    if (precision) {
        float *iw = net->in_w, *ow = net->out_w, *b = net->bias;
        for (int64_t e = 0; e < E; e++) iw[e] = (float)params[net->in_slot[e]];
        for (int64_t e = 0; e < E; e++) ow[e] = (float)params[net->out_slot[e]];
        for (int64_t j = 0; j < N; j++) b[j] = (float)params[net->bias_base + j];
    } else {
        double *iw = net->in_w, *ow = net->out_w, *b = net->bias;
        for (int64_t e = 0; e < E; e++) iw[e] = params[net->in_slot[e]];
        for (int64_t e = 0; e < E; e++) ow[e] = params[net->out_slot[e]];
        for (int64_t j = 0; j < N; j++) b[j] = params[net->bias_base + j];
    }
}

/* Run `c` (mode, data, n set by the caller) over the batch; returns E (0 for forward), or NAN
 * with *failed set when memory ran out. grad (P,) receives the gradient unless mode is forward. */
static double run_batch(Net *net, int precision, int tile_index, int threads, const double *params,
                        Call *c, double *grad, int *failed)
{
    int T = TILE_SIZES[tile_index];
    int64_t n = c->n, m = net->n_out;
    c->n_tiles = (n + T - 1) / T;
    c->lanes = c->n_tiles < MAX_LANES ? c->n_tiles : MAX_LANES;
    if (threads > c->lanes) threads = (int)c->lanes;
    int64_t worth = (net->E + net->N) * n / MIN_WORK_PER_THREAD + 1;
    if (threads > worth) threads = (int)worth;
    if (threads < 1) threads = 1;
    *failed = 0;
    if (prepare(net, precision, T, threads, c->lanes, c->n_tiles)) {
        *failed = 1;
        return NAN;
    }
    gather(net, precision, params);
    c->in_w = net->in_w;
    c->out_w = net->out_w;
    c->bias = net->bias;
    c->lane_grad = net->lane_grad;
    c->tile_E = net->tile_E;
    c->prefetch = (size_t)net->N * (size_t)T * (precision ? 4 : 8) > (512u << 10);
    switch (net->loss) {
    case LOSS_SSE: c->delta_scale = 2.0; break;
    case LOSS_MSE: c->delta_scale = 2.0 / ((double)n * (double)m); break;
    case LOSS_CROSS_ENTROPY: c->delta_scale = 1.0 / (double)n; break;
    default: c->delta_scale = 1.0 / ((double)n * (double)m);
    }
    if (c->mode != MODE_FORWARD)
        for (int64_t l = 0; l < c->lanes; l++)
            memset(net->lane_grad[l], 0, (size_t)(net->E + net->N) * sizeof(double));

    lane_fn fn = LANES[precision][tile_index];
    Job jobs[MAX_LANES];
    pthread_t ids[MAX_LANES];
    int started = 1;
    for (int i = 0; i < threads; i++)
        jobs[i] = (Job){net, c, &net->work[i], fn, i, threads};
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&ids[i], NULL, run_job, &jobs[i]) != 0)
            break;                      /* run the rest on this thread: same lanes, same result */
        started++;
    }
    if (started < threads)
        for (int i = started; i < threads; i++) run_job(&jobs[i]);
    run_job(&jobs[0]);
    for (int i = 1; i < started; i++) pthread_join(ids[i], NULL);

    if (c->mode == MODE_FORWARD)
        return 0.0;
    double E = 0.0;
    for (int64_t t = 0; t < c->n_tiles; t++) E += net->tile_E[t];
    switch (net->loss) {
    case LOSS_SSE: break;
    case LOSS_CROSS_ENTROPY: E /= (double)n; break;
    default: E /= (double)n * (double)m;
    }
    memset(grad, 0, (size_t)net->P * sizeof(double));
    double **lg = net->lane_grad;
    for (int64_t e = 0; e < net->E; e++) {
        double g = lg[0][e];
        for (int64_t l = 1; l < c->lanes; l++) g += lg[l][e];
        grad[net->out_slot[e]] = g;
    }
    for (int64_t k = net->n_in; k < net->N; k++) {
        double g = lg[0][net->E + k];
        for (int64_t l = 1; l < c->lanes; l++) g += lg[l][net->E + k];
        grad[net->bias_base + k] = g;
    }
    if (net->mask)
        for (int64_t i = 0; i < net->P; i++) grad[i] *= net->mask[i];
    return E;
}

#endif
