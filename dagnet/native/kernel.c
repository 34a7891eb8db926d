/* dagnet.native._kernel: the fused training kernel over a compiled plan.
 *
 * The Python side (dagnet/native/spec.py) flattens a Plan into in-edge and
 * out-edge lists (CSR by target and by source, with parameter slots); this
 * module keeps copies of them in a capsule and runs, per call:
 *
 *   forward   X -> S, Z                       (engine.forward)
 *   backward  S, Z, Y -> E, gradient, D       (engine.backward)
 *   train     X, Y -> E, gradient             (engine.train_gradient, one fused pass)
 *   epochs    every update of one or many epochs, the optimiser's step included
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
 *
 * Files: batch.h (the network as held here, one batch over lanes and
 * threads), tile.h (one tile: forward, loss, backward), activations.h and
 * vmath.h (σ, σ' and vectorised exp/tanh), optimizers.h (the fused
 * epoch's updates); this file is the Python interface.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "batch.h"
#include "optimizers.h"

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
    Py_buffer views[16];
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

/* Epochs of updates, the optimiser's step included. Epoch e visits the rows in the order
 * order[e·n ..] (gathered into xbuf, ybuf), or as given when order is None; losses receives each
 * batch's E (n_epochs × batches), outputs (when given) each batch's ŷ before its update, row for
 * row as X has them. Stops after the first batch whose loss is not finite, and after an epoch
 * that leaves a parameter that is not finite; keep (when given) then receives the parameters as
 * that epoch found them. Returns (updates made, whole epochs whose losses and parameters are finite). */
static PyObject *py_epochs(PyObject *self, PyObject *args)
{
    PyObject *capsule, *params, *X, *Y, *st1, *st2, *mask, *grad, *losses, *outputs, *order, *xbuf, *ybuf,
        *obuf, *keep;
    int precision, tile_index, threads, kind;
    long long n, batch, t, n_epochs;
    double lr, a, bb, eps, decay;
    if (!PyArg_ParseTuple(args, "OiiiOOOLLiddddLOOdOOOOOLOOOO", &capsule, &precision, &tile_index,
                          &threads, &params, &X, &Y, &n, &batch, &kind, &lr, &a, &bb, &eps, &t, &st1,
                          &st2, &decay, &mask, &grad, &losses, &outputs, &order, &n_epochs, &xbuf, &ybuf,
                          &obuf, &keep))
        return NULL;
    Net *net = take(capsule);
    if (!net)
        return NULL;
    Buffers b = {.used = 0};
    Py_buffer order_view;
    int have_order = 0;
    double *p, *g, *L, *M, *out_all, *xb, *yb, *ob, *K;
    const double *Xall, *Yall;
    const int64_t *idx = NULL;
    Opt o = {kind, lr, a, bb, eps, NULL, NULL, t};
    int64_t m = net->n_out, n_batches = batch > 0 ? (n + batch - 1) / batch : 0;
    PyObject *result = NULL;
    if (n_epochs < 1 || n < 1) {
        PyErr_SetString(PyExc_ValueError, "epochs: n_epochs and n must be >= 1");
        goto done;
    }
    if (check_common(net, precision, tile_index, threads) < 0 ||
        doubles(&b, params, 1, net->P, "params", (void **)&p) < 0 ||
        doubles(&b, X, 0, n * net->n_in, "X", (void **)&Xall) < 0 ||
        doubles(&b, Y, 0, n * m, "Y", (void **)&Yall) < 0 ||
        doubles(&b, st1, 1, net->P, "optimiser state", (void **)&o.s1) < 0 ||
        doubles(&b, st2, 1, net->P, "optimiser state", (void **)&o.s2) < 0 ||
        doubles(&b, mask, 0, net->P, "mask", (void **)&M) < 0 ||
        doubles(&b, grad, 1, net->P, "grad", (void **)&g) < 0 ||
        doubles(&b, losses, 1, n_epochs * n_batches, "losses", (void **)&L) < 0 ||
        doubles(&b, outputs, 1, n_epochs * n * m, "outputs", (void **)&out_all) < 0 ||
        doubles(&b, xbuf, 1, n * net->n_in, "xbuf", (void **)&xb) < 0 ||
        doubles(&b, ybuf, 1, n * m, "ybuf", (void **)&yb) < 0 ||
        doubles(&b, obuf, 1, n * m, "obuf", (void **)&ob) < 0 ||
        doubles(&b, keep, 1, net->P, "keep", (void **)&K) < 0)
        goto done;
    if (order != Py_None) {
        if (get_buffer(order, &order_view, 0, 8, n_epochs * n, "order") < 0)
            goto done;
        have_order = 1;
        idx = order_view.buf;
        for (int64_t i = 0; i < n_epochs * n; i++)
            if (idx[i] < 0 || idx[i] >= n) {
                PyErr_SetString(PyExc_ValueError, "epochs: an order index is out of range");
                goto done;
            }
    }
    if (!p || !Xall || !Yall || !g || !L || batch < 1 || kind < 0 || kind > OPT_ADAM ||
        (kind != OPT_SGD && !o.s1) || (kind == OPT_ADAM && !o.s2) || (decay != 0.0 && !M) ||
        (idx && (!xb || !yb || (out_all && !ob)))) {
        PyErr_SetString(PyExc_ValueError, "epochs: missing arrays or bad sizes");
        goto done;
    }
    int64_t done_count = 0, whole = 0, n_in = net->n_in;
    int failed = 0, stop = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int64_t e = 0; e < n_epochs && !stop && !failed; e++) {
        const double *Xe = Xall, *Ye = Yall;
        const int64_t *ix = idx ? idx + e * n : NULL;
        double *out_e = out_all ? out_all + e * n * m : NULL, *out_to = ix ? ob : out_e;
        if (K)
            memcpy(K, p, (size_t)net->P * sizeof(double));
        if (ix) {                  /* the epoch's rows in its order, as X[order] would give them */
            for (int64_t i = 0; i < n; i++) {
                memcpy(xb + i * n_in, Xall + ix[i] * n_in, (size_t)n_in * sizeof(double));
                memcpy(yb + i * m, Yall + ix[i] * m, (size_t)m * sizeof(double));
            }
            Xe = xb;
            Ye = yb;
        }
        for (int64_t lo = 0; lo < n; lo += batch) {
            Call c;
            memset(&c, 0, sizeof c);
            c.mode = MODE_TRAIN;
            c.n = n - lo < batch ? n - lo : batch;
            c.X = Xe + lo * n_in;
            c.Y = Ye + lo * m;
            c.outputs = out_to ? out_to + lo * m : NULL;
            double E = run_batch(net, precision, tile_index, threads, p, &c, g, &failed);
            if (failed)
                break;
            L[done_count++] = E;
            if (decay != 0.0)      /* ∂/∂θ of (λ/2)‖θ‖², trainable slots only */
                for (int64_t i = 0; i < net->P; i++) g[i] += decay * M[i] * p[i];
            opt_step(&o, p, g, net->P);
            if (!isfinite(E)) {
                stop = 1;
                break;
            }
        }
        if (stop || failed)
            break;
        for (int64_t i = 0; i < net->P; i++)
            if (!isfinite(p[i])) {
                stop = 1;
                break;
            }
        if (stop)
            break;
        if (ix && out_e)           /* ŷ back to X's row order */
            for (int64_t i = 0; i < n; i++)
                memcpy(out_e + ix[i] * m, ob + i * m, (size_t)m * sizeof(double));
        whole++;
    }
    Py_END_ALLOW_THREADS
    if (failed)
        PyErr_NoMemory();
    else
        result = Py_BuildValue("LL", (long long)done_count, (long long)whole);
done:
    if (have_order)
        PyBuffer_Release(&order_view);
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
    {"epochs", py_epochs, METH_VARARGS, "epochs(...) -> (updates made, whole finite epochs)"},
    {"vmath", py_vmath, METH_VARARGS, "vmath(name, x, out, portable): out = f(x) elementwise"},
    {"config", py_config, METH_NOARGS, "how the kernel was built: SIMD, FMA, libmvec, lanes, tiles"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_kernel",
                                    "The native training kernel (see dagnet.native).", -1, METHODS};

PyMODINIT_FUNC PyInit__kernel(void) { return PyModule_Create(&MODULE); }
