/* One tile of the batch through the network: forward, loss, backward.
 *
 * Included by kernel.c once per (REAL, T) pair: REAL is the arithmetic type
 * (double or float), T the samples per tile (a compile-time constant, so
 * every loop over a tile becomes straight-line SIMD code), SUF the suffix
 * of the generated names.
 *
 * A tile is node-major: node j's T values are the contiguous row
 * X[j*T .. j*T+T) of S, Z and D. The lines of dagnet/reference.py each
 * block reproduces are quoted beside it.
 */
#define FN(name) FN_(name, SUF)
#define FN_(name, suf) FN__(name, suf)
#define FN__(name, suf) name##_##suf

/* Node values as doubles for the activation rules (a copy when REAL is float). */
static inline const double *FN(as_double)(const REAL *x, double *buf)
{
#if REAL_IS_DOUBLE
    (void)buf;
    return (const double *)x;
#else
    for (int t = 0; t < T; t++) buf[t] = (double)x[t];
    return buf;
#endif
}

/* Inputs of samples t0 .. t0+cnt into rows 0 .. n_in of Z (and S); padding samples are 0. */
static void FN(load_inputs)(const Net *net, const Call *c, Work *w, int64_t t0, int cnt)
{
    REAL *S = (REAL *)w->S, *Z = (REAL *)w->Z;
    int64_t n_in = net->n_in;
    for (int64_t i = 0; i < n_in; i++) {
        REAL *z = Z + i * T;
        for (int t = 0; t < T; t++)
            z[t] = t < cnt ? (REAL)c->X[(t0 + t) * n_in + i] : (REAL)0;
        memcpy(S + i * T, z, T * sizeof(REAL));
    }
}

/* S and Z of samples t0 .. t0+cnt from a forward pass's (n, N) arrays. */
static void FN(load_values)(const Net *net, const Call *c, Work *w, int64_t t0, int cnt)
{
    REAL *S = (REAL *)w->S, *Z = (REAL *)w->Z;
    int64_t N = net->N;
    for (int64_t j = 0; j < N; j++)
        for (int t = 0; t < T; t++) {
            S[j * T + t] = t < cnt ? (REAL)c->S_in[(t0 + t) * N + j] : (REAL)0;
            Z[j * T + t] = t < cnt ? (REAL)c->Z_in[(t0 + t) * N + j] : (REAL)0;
        }
}

/* s_j = b_j + Σ_{i→j} z_i · w_{i→j};  z_j = σ_j(s_j)   (topological order) */
static void FN(forward)(const Net *net, const Call *c, Work *w)
{
    REAL *S = (REAL *)w->S, *Z = (REAL *)w->Z;
    const REAL *iw = (const REAL *)c->in_w, *bias = (const REAL *)c->bias;
    const int64_t *ptr = net->in_ptr, *src = net->in_src;
    double *buf = w->buf;
    for (int64_t j = net->n_in; j < net->N; j++) {
        VEC a0[NV], a1[NV];                    /* two accumulators: even and odd edges */
        for (int v = 0; v < NV; v++) { a0[v] = (VEC){0} + bias[j]; a1[v] = (VEC){0}; }
        int64_t e = ptr[j], end = ptr[j + 1];
        for (; e + 1 < end; e += 2) {
            if (c->prefetch) {
                __builtin_prefetch(Z + src[e + PREFETCH_EDGES] * T);
                __builtin_prefetch(Z + src[e + PREFETCH_EDGES + 1] * T);
            }
            const VEC wa = (VEC){0} + iw[e], wb = (VEC){0} + iw[e + 1];
            const VEC *za = (const VEC *)(Z + src[e] * T), *zb = (const VEC *)(Z + src[e + 1] * T);
            for (int v = 0; v < NV; v++) {
                a0[v] = VFMA(wa, za[v], a0[v]);
                a1[v] = VFMA(wb, zb[v], a1[v]);
            }
        }
        if (e < end) {
            const VEC wa = (VEC){0} + iw[e];
            const VEC *za = (const VEC *)(Z + src[e] * T);
            for (int v = 0; v < NV; v++) a0[v] = VFMA(wa, za[v], a0[v]);
        }
        REAL *s = S + j * T, *z = Z + j * T;
        for (int v = 0; v < NV; v++) ((VEC *)s)[v] = a0[v] + a1[v];
        int code = net->act[j];
        if (code == ACT_SOFTMAX)
            continue;
#if REAL_IS_DOUBLE
        act_forward(code, s, z, T);
#else
        const double *sd = FN(as_double)(s, buf);
        act_forward(code, sd, buf + T, T);
        for (int t = 0; t < T; t++) z[t] = (REAL)buf[T + t];
#endif
    }
    (void)buf;
    if (net->softmax) {                        /* one softmax over all output nodes */
        int64_t m = net->n_out;
        for (int t = 0; t < T; t++) {
            double top = -INFINITY, total = 0.0;
            for (int64_t l = 0; l < m; l++) {
                double s = (double)S[net->out_cols[l] * T + t];
                top = s > top ? s : top;
            }
            for (int64_t l = 0; l < m; l++) {
                double e = exp((double)S[net->out_cols[l] * T + t] - top);
                buf[l] = e;
                total += e;
            }
            for (int64_t l = 0; l < m; l++)
                Z[net->out_cols[l] * T + t] = (REAL)(buf[l] / total);
        }
    }
}

/* E of the tile's cnt samples (unnormalised), and ∂E/∂s_o of each output into its D row. */
static double FN(loss)(const Net *net, const Call *c, Work *w, int64_t t0, int cnt)
{
    REAL *S = (REAL *)w->S, *Z = (REAL *)w->Z, *D = (REAL *)w->D;
    int64_t m = net->n_out;
    const double *Y = c->Y;
    double E = 0.0, *g = w->buf, *sd = w->buf + T, *zd = w->buf + 2 * T, *tmp = w->buf + 3 * T;
    double *sum_y = w->buf + 4 * T, *gp = w->buf + 5 * T;
    const double scale = c->delta_scale;
    switch (net->loss) {
    case LOSS_SSE: case LOSS_MSE:
        /* E = Σ (ŷ − y)²;  ∂E/∂ŷ = 2 (ŷ − y) · scale, then through each output's activation */
        for (int t = 0; t < T; t++) gp[t] = 0.0;
        for (int64_t l = 0; l < m; l++) {
            int64_t col = net->out_cols[l];
            for (int t = 0; t < T; t++) {
                double z = (double)Z[col * T + t];
                double r = t < cnt ? z - Y[(t0 + t) * m + l] : 0.0;
                E += r * r;
                g[t] = r * scale;
                sd[t] = (double)S[col * T + t];
                zd[t] = z;
                gp[t] += g[t] * z;               /* Σ_l g_l p_l, for softmax outputs */
            }
            if (net->act[col] != ACT_SOFTMAX)
                act_scale(net->act[col], g, sd, zd, tmp, T);
            for (int t = 0; t < T; t++) D[col * T + t] = (REAL)g[t];
        }
        if (net->softmax)                    /* ∂E/∂s_l = p_l (g_l − Σ_k g_k p_k) */
            for (int64_t l = 0; l < m; l++) {
                int64_t col = net->out_cols[l];
                for (int t = 0; t < T; t++) {
                    double p = (double)Z[col * T + t];
                    D[col * T + t] = (REAL)(p * ((double)D[col * T + t] - gp[t]));
                }
            }
        break;
    case LOSS_CROSS_ENTROPY:
        /* E = −Σ_l y_l log softmax(s)_l;  softmax and cross-entropy cancel: ∂E/∂s_l = (p_l Σ y − y_l)/n */
        for (int t = 0; t < T; t++) {
            double top = -INFINITY, total = 0.0, y_total = 0.0;
            if (t >= cnt) { sum_y[t] = 0.0; continue; }
            for (int64_t l = 0; l < m; l++) {
                double s = (double)S[net->out_cols[l] * T + t];
                top = s > top ? s : top;
                y_total += Y[(t0 + t) * m + l];
            }
            for (int64_t l = 0; l < m; l++)
                total += exp((double)S[net->out_cols[l] * T + t] - top);
            double lse = log(total);
            for (int64_t l = 0; l < m; l++)
                E -= Y[(t0 + t) * m + l] * (((double)S[net->out_cols[l] * T + t] - top) - lse);
            sum_y[t] = y_total;
        }
        for (int64_t l = 0; l < m; l++) {
            int64_t col = net->out_cols[l];
            for (int t = 0; t < T; t++) {
                double y = t < cnt ? Y[(t0 + t) * m + l] : 0.0;
                D[col * T + t] = (REAL)(((double)Z[col * T + t] * sum_y[t] - y) * scale);
            }
        }
        break;
    default: /* LOSS_BCE: E = y softplus(−s) + (1 − y) softplus(s);  ∂E/∂s = (ŷ − y)/(n m) */
        for (int64_t l = 0; l < m; l++) {
            int64_t col = net->out_cols[l];
            for (int t = 0; t < T; t++) {
                double y = t < cnt ? Y[(t0 + t) * m + l] : 0.0, s = (double)S[col * T + t];
                if (t < cnt)
                    E += y * softplus(-s) + (1.0 - y) * softplus(s);
                D[col * T + t] = (REAL)(t < cnt ? ((double)Z[col * T + t] - y) * scale : 0.0);
            }
        }
    }
    return E;
}

/* Reverse order: δ_k = σ'_k(s_k) · Σ_{k→o} δ_o · w_{k→o} (+ ∂E/∂s_k at outputs), pulled over the
 * out-edges, and ∂E/∂w_{k→o} = Σ_samples δ_o · z_k from the same δ_o rows while they are in cache.
 * Edge gradients add into ge (out-edge order), bias gradients ∂E/∂b_k = Σ δ_k into gb. */
static void FN(backward)(const Net *net, const Call *c, Work *w, double *ge, double *gb)
{
    REAL *S = (REAL *)w->S, *Z = (REAL *)w->Z, *D = (REAL *)w->D;
    const REAL *ow = (const REAL *)c->out_w;
    const int64_t *ptr = net->out_ptr, *dst = net->out_dst;
    double *direct = w->buf, *tmp = w->buf + T;
#if !REAL_IS_DOUBLE
    double *dd = w->buf + 2 * T, *sd = w->buf + 3 * T, *zd = w->buf + 4 * T;
#endif
    for (int64_t k = net->N - 1; k >= 0; k--) {
        const REAL *zk = Z + k * T;
        const VEC *zv = (const VEC *)zk;
        VEC p0[NV], p1[NV];                    /* pull accumulators; odd edges use p1 when NV is small */
        for (int v = 0; v < NV; v++) { p0[v] = (VEC){0}; p1[v] = (VEC){0}; }
        VEC *pb = NV <= 4 ? p1 : p0;
        int64_t e = ptr[k], end = ptr[k + 1];
        for (; e + 1 < end; e += 2) {
            if (c->prefetch) {
                __builtin_prefetch(D + dst[e + PREFETCH_EDGES] * T);
                __builtin_prefetch(D + dst[e + PREFETCH_EDGES + 1] * T);
            }
            const VEC wa = (VEC){0} + ow[e], wb = (VEC){0} + ow[e + 1];
            const VEC *da = (const VEC *)(D + dst[e] * T), *db = (const VEC *)(D + dst[e + 1] * T);
            VEC qa = da[0] * zv[0], qb = db[0] * zv[0];
            p0[0] = VFMA(wa, da[0], p0[0]);
            pb[0] = VFMA(wb, db[0], pb[0]);
            for (int v = 1; v < NV; v++) {
                p0[v] = VFMA(wa, da[v], p0[v]);
                pb[v] = VFMA(wb, db[v], pb[v]);
                qa = VFMA(da[v], zv[v], qa);
                qb = VFMA(db[v], zv[v], qb);
            }
            ge[e] += (double)HSUM(qa);
            ge[e + 1] += (double)HSUM(qb);
        }
        if (e < end) {
            const VEC wa = (VEC){0} + ow[e];
            const VEC *da = (const VEC *)(D + dst[e] * T);
            VEC qa = da[0] * zv[0];
            p0[0] = VFMA(wa, da[0], p0[0]);
            for (int v = 1; v < NV; v++) {
                p0[v] = VFMA(wa, da[v], p0[v]);
                qa = VFMA(da[v], zv[v], qa);
            }
            ge[e] += (double)HSUM(qa);
        }
        REAL *dk = D + k * T;
        int code = net->act[k];
        if (code < 0) {                        /* an input: s = z = x, δ is ∂E/∂x */
            for (int v = 0; v < NV; v++) ((VEC *)dk)[v] = c->input_deltas ? p0[v] + p1[v] : (VEC){0};
            continue;
        }
        int is_output = net->out_pos[k] >= 0;
        if (ptr[k + 1] > ptr[k] && code != ACT_SOFTMAX) {
            if (is_output)                     /* the loss's own ∂E/∂s_k, added after the chain rule */
                for (int t = 0; t < T; t++) direct[t] = (double)dk[t];
#if REAL_IS_DOUBLE
            if (code == ACT_TANH)              /* the commonest derivatives inline: d (1 − z²) */
                for (int v = 0; v < NV; v++) {
                    VEC d = p0[v] + p1[v];
                    ((VEC *)dk)[v] = d - (zv[v] * zv[v]) * d;
                }
            else if (code == ACT_SIGMOID)      /* d z (1 − z) */
                for (int v = 0; v < NV; v++) ((VEC *)dk)[v] = (p0[v] + p1[v]) * ((1.0 - zv[v]) * zv[v]);
            else {
                for (int v = 0; v < NV; v++) ((VEC *)dk)[v] = p0[v] + p1[v];
                act_scale(code, dk, S + k * T, zk, tmp, T);
            }
            if (is_output)
                for (int t = 0; t < T; t++) dk[t] += direct[t];
#else
            VEC pulled[NV];
            for (int v = 0; v < NV; v++) pulled[v] = p0[v] + p1[v];
            for (int t = 0; t < T; t++) {
                dd[t] = (double)((const REAL *)pulled)[t];
                sd[t] = (double)S[k * T + t];
                zd[t] = (double)zk[t];
            }
            act_scale(code, dd, sd, zd, tmp, T);
            for (int t = 0; t < T; t++) dk[t] = (REAL)(is_output ? dd[t] + direct[t] : dd[t]);
#endif
        } else if (!is_output) {
            for (int t = 0; t < T; t++) dk[t] = (REAL)0;
        }
        double acc[4] = {0.0, 0.0, 0.0, 0.0};
        for (int t = 0; t < T; t += 4)
            for (int u = 0; u < 4; u++) acc[u] += (double)dk[t + u];
        gb[k] += (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
}

/* Rows of the tile back into the caller's arrays (node-major (N, n), or (n, m) outputs). */
static void FN(store)(const Net *net, const Call *c, Work *w, int64_t t0, int cnt)
{
    const REAL *S = (const REAL *)w->S, *Z = (const REAL *)w->Z, *D = (const REAL *)w->D;
    int64_t N = net->N, n = c->n, m = net->n_out;
    if (c->S_out)
        for (int64_t j = 0; j < N; j++)
            for (int t = 0; t < cnt; t++) {
                c->S_out[j * n + t0 + t] = (double)S[j * T + t];
                c->Z_out[j * n + t0 + t] = (double)Z[j * T + t];
            }
    if (c->D_out)
        for (int64_t j = 0; j < N; j++)
            for (int t = 0; t < cnt; t++)
                c->D_out[j * n + t0 + t] = (double)D[j * T + t];
    if (c->outputs)
        for (int t = 0; t < cnt; t++)
            for (int64_t l = 0; l < m; l++)
                c->outputs[(t0 + t) * m + l] = (double)Z[net->out_cols[l] * T + t];
}

/* Every tile of one lane, in order: lane l takes tiles l, l + lanes, l + 2 lanes, ... */
static void FN(lane)(const Net *net, const Call *c, Work *w, int lane)
{
    double *ge = c->lane_grad[lane], *gb = ge + net->E;
    for (int64_t tile = lane; tile < c->n_tiles; tile += c->lanes) {
        int64_t t0 = tile * T;
        int cnt = (int)(c->n - t0 < T ? c->n - t0 : T);
        if (c->mode == MODE_BACKWARD)
            FN(load_values)(net, c, w, t0, cnt);
        else {
            FN(load_inputs)(net, c, w, t0, cnt);
            FN(forward)(net, c, w);
        }
        if (c->mode != MODE_FORWARD) {
            c->tile_E[tile] = FN(loss)(net, c, w, t0, cnt);
            FN(backward)(net, c, w, ge, gb);
        }
        FN(store)(net, c, w, t0, cnt);
    }
}

#undef FN
#undef FN_
#undef FN__
