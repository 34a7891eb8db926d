/* dagnet.native._kernel: the fused training kernel over a compiled plan.
 *
 * The Python side (dagnet/native/spec.py) flattens a Plan into in-edge and
 * out-edge lists (CSR by target and by source, with parameter slots); this
 * module keeps copies of them in a capsule and runs, per call:
 *
 *   forward   X -> S, Z                       (engine.forward)
 *   backward  S, Z, Y -> E, gradient, D       (engine.backward)
 *   train     X, Y -> E, gradient             (engine.train_gradient, one fused pass)
 *   epoch     every update of an epoch, the optimiser's step included
 *
 * The batch goes in tiles of T samples (tile.h). Tiles are dealt to at
 * most MAX_LANES lanes (tile i to lane i mod lanes), each lane summing its
 * tiles' gradients in tile order into its own buffer; lanes are summed in
 * lane order at the end. The lanes depend on the batch size only, never on
 * the number of threads, so results are bit-identical for any thread count.
 * Threads take whole lanes.
 *
 * Built with -ffp-contract=off: the only fused multiply-adds are the
 * explicit VFMAs of the tile loops, so the optimiser's updates round
 * exactly as numpy's do.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <stdlib.h>

#include "activations.h"

#define MAX_LANES 4
/* A thread costs tens of µs to start and join: each one gets at least this many
 * (edges + nodes) × samples of work, else fewer threads run (the lanes, and so the
 * results, stay the same). */
#define MIN_WORK_PER_THREAD (1 << 20)
#define PREFETCH_EDGES 8
#define N_TILE_SIZES 4
static const int TILE_SIZES[N_TILE_SIZES] = {4, 8, 16, 32};

enum { MODE_FORWARD = 0, MODE_BACKWARD = 1, MODE_TRAIN = 2 };
enum { LOSS_SSE = 0, LOSS_MSE, LOSS_CROSS_ENTROPY, LOSS_BCE };
enum { OPT_SGD = 0, OPT_MOMENTUM, OPT_NESTEROV, OPT_ADAM };

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

/* --- optimisers: the same operations, in the same order, as dagnet/optimizers.py -------- */

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

/* --- Python glue ------------------------------------------------------------------------ */

static const char *CAPSULE = "dagnet.native.Net";

static void net_free(PyObject *capsule)
{
    Net *net = PyCapsule_GetPointer(capsule, CAPSULE);
    if (!net)
        return;
    free(net->in_ptr); free(net->in_src); free(net->in_slot);
    free(net->out_ptr); free(net->out_dst); free(net->out_slot);
    free(net->act); free(net->out_cols); free(net->out_pos); free(net->mask);
    free(net->in_w); free(net->out_w); free(net->bias); free(net->tile_E);
    for (int i = 0; i < MAX_LANES; i++) {
        free(net->lane_grad[i]);
        free(net->work[i].S); free(net->work[i].Z); free(net->work[i].D); free(net->work[i].buf);
    }
    free(net);
}

/* A contiguous buffer of `itemsize`-byte items, at least `count` of them (count < 0: any). */
static int get_buffer(PyObject *obj, Py_buffer *view, int writable, Py_ssize_t itemsize,
                      Py_ssize_t count, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    if (view->itemsize != itemsize || (count >= 0 && view->len / itemsize < count)) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd items of %zd bytes, got %zd bytes",
                     name, count, itemsize, view->len);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* A malloc'd copy of an int64 buffer, with `pad` zeros after it (room for prefetch look-ahead). */
static int64_t *copy_int64(PyObject *obj, Py_ssize_t count, Py_ssize_t pad, const char *name)
{
    Py_buffer v;
    if (get_buffer(obj, &v, 0, 8, count, name) < 0)
        return NULL;
    int64_t *out = calloc((size_t)(count + pad + 1), sizeof(int64_t));
    if (out)
        memcpy(out, v.buf, (size_t)count * sizeof(int64_t));
    else
        PyErr_NoMemory();
    PyBuffer_Release(&v);
    return out;
}

static PyObject *py_build(PyObject *self, PyObject *args)
{
    long long N, n_in, P, bias_base, E, n_out;
    int loss, softmax;
    PyObject *act, *in_ptr, *in_src, *in_slot, *out_ptr, *out_dst, *out_slot, *out_cols, *mask;
    if (!PyArg_ParseTuple(args, "LLLLLLiiOOOOOOOOO", &N, &n_in, &P, &bias_base, &E, &n_out, &loss,
                          &softmax, &act, &in_ptr, &in_src, &in_slot, &out_ptr, &out_dst, &out_slot,
                          &out_cols, &mask))
        return NULL;
    Net *net = calloc(1, sizeof(Net));
    if (!net)
        return PyErr_NoMemory();
    net->N = N; net->n_in = n_in; net->P = P; net->bias_base = bias_base; net->E = E;
    net->n_out = n_out; net->loss = loss; net->softmax = softmax;
    PyObject *capsule = PyCapsule_New(net, CAPSULE, net_free);
    if (!capsule) {
        free(net);
        return NULL;
    }
    Py_buffer v;
    if (get_buffer(act, &v, 0, 1, N, "act") < 0)
        goto fail;
    net->act = malloc((size_t)N + 1);
    if (net->act)
        memcpy(net->act, v.buf, (size_t)N);
    PyBuffer_Release(&v);
    if (!(net->in_ptr = copy_int64(in_ptr, N + 1, 0, "in_ptr")) ||
        !(net->in_src = copy_int64(in_src, E, PREFETCH_EDGES + 2, "in_src")) ||
        !(net->in_slot = copy_int64(in_slot, E, 0, "in_slot")) ||
        !(net->out_ptr = copy_int64(out_ptr, N + 1, 0, "out_ptr")) ||
        !(net->out_dst = copy_int64(out_dst, E, PREFETCH_EDGES + 2, "out_dst")) ||
        !(net->out_slot = copy_int64(out_slot, E, 0, "out_slot")) ||
        !(net->out_cols = copy_int64(out_cols, n_out, 0, "out_cols")) || !net->act)
        goto fail;
    net->out_pos = malloc((size_t)(N + 1) * sizeof(int64_t));
    net->in_w = malloc((size_t)(E + 1) * sizeof(double));
    net->out_w = malloc((size_t)(E + 1) * sizeof(double));
    net->bias = malloc((size_t)(N + 1) * sizeof(double));
    if (!net->out_pos || !net->in_w || !net->out_w || !net->bias) {
        PyErr_NoMemory();
        goto fail;
    }
    for (int64_t j = 0; j < N; j++) net->out_pos[j] = -1;
    for (int64_t l = 0; l < n_out; l++) net->out_pos[net->out_cols[l]] = l;
    if (mask != Py_None) {
        if (get_buffer(mask, &v, 0, 8, P, "mask") < 0)
            goto fail;
        net->mask = malloc((size_t)(P + 1) * sizeof(double));
        if (net->mask)
            memcpy(net->mask, v.buf, (size_t)P * sizeof(double));
        PyBuffer_Release(&v);
        if (!net->mask) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    return capsule;
fail:
    Py_DECREF(capsule);
    return NULL;
}

static Net *take(PyObject *capsule)
{
    Net *net = PyCapsule_GetPointer(capsule, CAPSULE);
    if (!net)
        return NULL;
    if (net->busy) {
        PyErr_SetString(PyExc_RuntimeError, "this engine is running in another thread; "
                                            "give each thread its own network copy");
        return NULL;
    }
    net->busy = 1;
    return net;
}

typedef struct {
    Py_buffer views[12];
    int used;
} Buffers;

/* obj as a buffer of doubles (None -> NULL), remembered for release. */
static int doubles(Buffers *b, PyObject *obj, int writable, Py_ssize_t count, const char *name,
                   void **out)
{
    *out = NULL;
    if (obj == Py_None)
        return 0;
    if (get_buffer(obj, &b->views[b->used], writable, 8, count, name) < 0)
        return -1;
    *out = b->views[b->used++].buf;
    return 0;
}

static void release(Buffers *b)
{
    for (int i = 0; i < b->used; i++) PyBuffer_Release(&b->views[i]);
    b->used = 0;
}

static int check_common(Net *net, int precision, int tile_index, int threads)
{
    (void)net;
    if (precision < 0 || precision > 1 || tile_index < 0 || tile_index >= N_TILE_SIZES || threads < 1) {
        PyErr_SetString(PyExc_ValueError, "precision must be 0 or 1, tile an index into the tile "
                                          "sizes, threads >= 1");
        return -1;
    }
    return 0;
}

static PyObject *py_run(PyObject *self, PyObject *args)
{
    PyObject *capsule, *params, *X, *Y, *S_in, *Z_in, *S_out, *Z_out, *D_out, *grad, *outputs;
    int mode, precision, tile_index, threads, input_deltas;
    long long n;
    if (!PyArg_ParseTuple(args, "OiiiiLOOOOOOOOOOp", &capsule, &mode, &precision, &tile_index,
                          &threads, &n, &params, &X, &Y, &S_in, &Z_in, &S_out, &Z_out, &D_out, &grad,
                          &outputs, &input_deltas))
        return NULL;
    Net *net = take(capsule);
    if (!net)
        return NULL;
    Buffers b = {.used = 0};
    Call c;
    memset(&c, 0, sizeof c);
    c.mode = mode;
    c.n = n;
    c.input_deltas = input_deltas;
    void *p_params = NULL, *p_grad = NULL;
    int64_t N = net->N, m = net->n_out;
    PyObject *result = NULL;
    if (check_common(net, precision, tile_index, threads) < 0 || n < 1 ||
        doubles(&b, params, 0, net->P, "params", &p_params) < 0 ||
        doubles(&b, X, 0, n * net->n_in, "X", (void **)&c.X) < 0 ||
        doubles(&b, Y, 0, n * m, "Y", (void **)&c.Y) < 0 ||
        doubles(&b, S_in, 0, n * N, "S", (void **)&c.S_in) < 0 ||
        doubles(&b, Z_in, 0, n * N, "Z", (void **)&c.Z_in) < 0 ||
        doubles(&b, S_out, 1, n * N, "S out", (void **)&c.S_out) < 0 ||
        doubles(&b, Z_out, 1, n * N, "Z out", (void **)&c.Z_out) < 0 ||
        doubles(&b, D_out, 1, n * N, "D out", (void **)&c.D_out) < 0 ||
        doubles(&b, grad, 1, net->P, "grad", &p_grad) < 0 ||
        doubles(&b, outputs, 1, n * m, "outputs", (void **)&c.outputs) < 0)
        goto done;
    if (!p_params || (mode == MODE_FORWARD && (!c.X || !c.S_out || !c.Z_out)) ||
        (mode == MODE_BACKWARD && (!c.S_in || !c.Z_in || !c.Y || !p_grad)) ||
        (mode == MODE_TRAIN && (!c.X || !c.Y || !p_grad)) || mode < 0 || mode > 2 || n < 1) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "run: arrays missing for this mode (or n < 1)");
        goto done;
    }
    int failed;
    double E;
    Py_BEGIN_ALLOW_THREADS
    E = run_batch(net, precision, tile_index, threads, p_params, &c, p_grad, &failed);
    Py_END_ALLOW_THREADS
    if (failed)
        PyErr_NoMemory();
    else
        result = PyFloat_FromDouble(E);
done:
    release(&b);
    net->busy = 0;
    return result;
}

static PyObject *py_epoch(PyObject *self, PyObject *args)
{
    PyObject *capsule, *params, *X, *Y, *st1, *st2, *mask, *grad, *losses, *outputs;
    int precision, tile_index, threads, kind;
    long long n, batch, t;
    double lr, a, bb, eps, decay;
    if (!PyArg_ParseTuple(args, "OiiiOOOLLiddddLOOdOOOO", &capsule, &precision, &tile_index, &threads,
                          &params, &X, &Y, &n, &batch, &kind, &lr, &a, &bb, &eps, &t, &st1, &st2,
                          &decay, &mask, &grad, &losses, &outputs))
        return NULL;
    Net *net = take(capsule);
    if (!net)
        return NULL;
    Buffers b = {.used = 0};
    double *p, *g, *L, *M, *out_all;
    const double *Xall, *Yall;
    Opt o = {kind, lr, a, bb, eps, NULL, NULL, t};
    int64_t m = net->n_out, n_batches = batch > 0 ? (n + batch - 1) / batch : 0;
    PyObject *result = NULL;
    if (check_common(net, precision, tile_index, threads) < 0 ||
        doubles(&b, params, 1, net->P, "params", (void **)&p) < 0 ||
        doubles(&b, X, 0, n * net->n_in, "X", (void **)&Xall) < 0 ||
        doubles(&b, Y, 0, n * m, "Y", (void **)&Yall) < 0 ||
        doubles(&b, st1, 1, net->P, "optimiser state", (void **)&o.s1) < 0 ||
        doubles(&b, st2, 1, net->P, "optimiser state", (void **)&o.s2) < 0 ||
        doubles(&b, mask, 0, net->P, "mask", (void **)&M) < 0 ||
        doubles(&b, grad, 1, net->P, "grad", (void **)&g) < 0 ||
        doubles(&b, losses, 1, n_batches, "losses", (void **)&L) < 0 ||
        doubles(&b, outputs, 1, n * m, "outputs", (void **)&out_all) < 0)
        goto done;
    if (!p || !Xall || !Yall || !g || !L || n < 1 || batch < 1 || kind < 0 || kind > OPT_ADAM ||
        (kind != OPT_SGD && !o.s1) || (kind == OPT_ADAM && !o.s2) || (decay != 0.0 && !M)) {
        PyErr_SetString(PyExc_ValueError, "epoch: missing arrays or bad sizes");
        goto done;
    }
    int64_t done_count = 0;
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int64_t lo = 0; lo < n; lo += batch) {
        Call c;
        memset(&c, 0, sizeof c);
        c.mode = MODE_TRAIN;
        c.n = n - lo < batch ? n - lo : batch;
        c.X = Xall + lo * net->n_in;
        c.Y = Yall + lo * m;
        c.outputs = out_all ? out_all + lo * m : NULL;
        double E = run_batch(net, precision, tile_index, threads, p, &c, g, &failed);
        if (failed)
            break;
        L[done_count++] = E;
        if (decay != 0.0)          /* ∂/∂θ of (λ/2)‖θ‖², trainable slots only */
            for (int64_t i = 0; i < net->P; i++) g[i] += decay * M[i] * p[i];
        opt_step(&o, p, g, net->P);
        if (!isfinite(E))
            break;
    }
    Py_END_ALLOW_THREADS
    if (failed)
        PyErr_NoMemory();
    else
        result = Py_BuildValue("L", (long long)done_count);
done:
    release(&b);
    net->busy = 0;
    return result;
}

static PyObject *py_vmath(PyObject *self, PyObject *args)
{
    const char *name;
    PyObject *x, *out;
    int portable;
    if (!PyArg_ParseTuple(args, "sOOp", &name, &x, &out, &portable))
        return NULL;
    Py_buffer vx, vo;
    if (get_buffer(x, &vx, 0, 8, -1, "x") < 0)
        return NULL;
    if (get_buffer(out, &vo, 1, 8, vx.len / 8, "out") < 0) {
        PyBuffer_Release(&vx);
        return NULL;
    }
    int64_t n = vx.len / 8;
    int keep = vm_force_portable;
    vm_force_portable = portable;
    int ok = 1;
    if (!strcmp(name, "tanh")) vm_tanh_array(vx.buf, vo.buf, n);
    else if (!strcmp(name, "exp")) vm_exp_array(vx.buf, vo.buf, n);
    else if (!strcmp(name, "expm1")) vm_expm1_array(vx.buf, vo.buf, n);
    else if (!strcmp(name, "sigmoid")) vm_sigmoid_array(vx.buf, vo.buf, n);
    else ok = 0;
    vm_force_portable = keep;
    PyBuffer_Release(&vx);
    PyBuffer_Release(&vo);
    if (!ok) {
        PyErr_Format(PyExc_ValueError, "unknown function %s; known: tanh, exp, expm1, sigmoid", name);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *py_config(PyObject *self, PyObject *noargs)
{
#ifdef __AVX2__
    const char *simd = "AVX2";
#elif defined(__SSE2__)
    const char *simd = "SSE2";
#elif defined(__ARM_NEON)
    const char *simd = "NEON";
#else
    const char *simd = "none";
#endif
#ifdef __FMA__
    int fma = 1;
#else
    int fma = 0;
#endif
    return Py_BuildValue("{s:s,s:O,s:O,s:i,s:(iiii)}", "simd", simd, "fma", fma ? Py_True : Py_False,
                         "libmvec", VM_HAVE_LIBMVEC ? Py_True : Py_False, "max_lanes", MAX_LANES,
                         "tile_sizes", TILE_SIZES[0], TILE_SIZES[1], TILE_SIZES[2], TILE_SIZES[3]);
}

static PyMethodDef METHODS[] = {
    {"build", py_build, METH_VARARGS, "build(...) -> capsule: a network's edge lists, copied"},
    {"run", py_run, METH_VARARGS, "run(net, mode, precision, tile, threads, n, params, X, Y, S, Z, "
                                  "S_out, Z_out, D_out, grad, outputs, input_deltas) -> E"},
    {"epoch", py_epoch, METH_VARARGS, "epoch(...) -> number of updates made"},
    {"vmath", py_vmath, METH_VARARGS, "vmath(name, x, out, portable): out = f(x) elementwise"},
    {"config", py_config, METH_NOARGS, "how the kernel was built: SIMD, FMA, libmvec, lanes, tiles"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_kernel",
                                    "The native training kernel (see dagnet.native).", -1, METHODS};

PyMODINIT_FUNC PyInit__kernel(void) { return PyModule_Create(&MODULE); }
