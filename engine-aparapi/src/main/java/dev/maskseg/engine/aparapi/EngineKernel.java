package dev.maskseg.engine.aparapi;

import com.aparapi.Kernel;

/**
 * Every device kernel of the aparapi backend, in one class. Aparapi turns one Kernel class into one
 * OpenCL program and keeps device buffers per kernel instance, so sharing the two memory arenas
 * ({@link #f} for float32, {@link #d} for every other dtype) between ops requires that all ops
 * live here, dispatched on {@link #op}. Launch parameters (offsets, shapes, strides) travel in
 * {@link #meta}; the layouts are written by {@link Launches} and read back by the methods below.
 *
 * <p>Aparapi translates this bytecode to OpenCL C: only primitive locals, field arrays, calls to
 * methods of this class and Kernel's math intrinsics are allowed; control flow is kept to plain
 * loops and if/else with single returns, which its decompiler handles.
 */
final class EngineKernel extends Kernel {
    static final int OP_FILL = 1, OP_COPY = 2, OP_UNARY = 3, OP_BINARY = 4, OP_WHERE = 5, OP_REDUCE = 6,
            OP_SOFTMAX = 7, OP_LAYERNORM = 8, OP_LN_BWD_X = 9, OP_LN_BWD_WB = 10, OP_GEMM = 11,
            OP_IM2COL = 12, OP_COL2IM = 13, OP_MAXPOOL = 14, OP_MAXPOOL_BWD = 15, OP_AVGPOOL = 16,
            OP_AVGPOOL_BWD = 17, OP_ADAPTIVE = 18, OP_ADAPTIVE_BWD = 19, OP_RESIZE = 20, OP_RESIZE_BWD = 21,
            OP_GATHER = 22, OP_SCATTER_ADD = 23, OP_INDEX_SELECT = 24, OP_INDEX_ADD = 25,
            OP_STAGE_OUT = 26, OP_STAGE_IN = 27;

    /** dtype codes: where an element lives and how a store rounds it. */
    static final int DT_F32 = 0, DT_F64 = 1, DT_INT = 2, DT_U8 = 3, DT_BOOL = 4;

    /** Strided layout: rank, shape[MAXR], then per view {offset, dtype, strides[MAXR]}. */
    static final int MAXR = 8, SHAPE = 1, VIEW0 = 1 + MAXR, VIEW_LEN = 2 + MAXR, EXTRA = 60;

    static final int TILE = 64, TK = 16, LOCAL = 16;

    float[] f = new float[1];
    double[] d = new double[1];
    int[] meta = new int[128];
    float[] fs = new float[1];
    double[] ds = new double[1];
    /** err[0] != 0 after a launch: an index was out of range (err[1] holds it). */
    int[] err = new int[2];

    int op, sub, n;
    double p1, p2;

    @Local final float[] tileA = new float[TILE * TK];
    @Local final float[] tileB = new float[TK * TILE];

    @Override
    public void run() {
        if (op == OP_GEMM) {
            gemm();
        } else {
            int i = getGlobalId();
            if (i < n) dispatch(i);
        }
    }

    private void dispatch(int i) {
        if (op == OP_FILL) store(vtype(0), voff(0, i), p1);
        else if (op == OP_COPY) store(vtype(1), voff(1, i), load(vtype(0), voff(0, i)));
        else if (op == OP_UNARY) store(vtype(1), voff(1, i), unary(sub, load(vtype(0), voff(0, i))));
        else if (op == OP_BINARY) binaryAt(i);
        else if (op == OP_WHERE) {
            double c = load(vtype(0), voff(0, i));
            store(vtype(3), voff(3, i), c != 0 ? load(vtype(1), voff(1, i)) : load(vtype(2), voff(2, i)));
        } else if (op == OP_REDUCE) reduceAt(i);
        else if (op == OP_SOFTMAX) softmaxRow(i);
        else if (op == OP_LAYERNORM) layerNormRow(i);
        else if (op == OP_LN_BWD_X) layerNormBackwardRow(i);
        else if (op == OP_LN_BWD_WB) layerNormBackwardColumn(i);
        else if (op == OP_IM2COL) im2colAt(i);
        else if (op == OP_COL2IM) col2imAt(i);
        else if (op == OP_MAXPOOL) maxPoolAt(i);
        else if (op == OP_MAXPOOL_BWD) maxPoolBackwardPlane(i);
        else if (op == OP_AVGPOOL) avgPoolAt(i);
        else if (op == OP_AVGPOOL_BWD) avgPoolBackwardPlane(i);
        else if (op == OP_ADAPTIVE) adaptivePlane(i, false);
        else if (op == OP_ADAPTIVE_BWD) adaptivePlane(i, true);
        else if (op == OP_RESIZE) resizeAt(i);
        else if (op == OP_RESIZE_BWD) resizeBackwardPlane(i);
        else if (op == OP_GATHER) gatherAt(i);
        else if (op == OP_SCATTER_ADD) scatterAddLine(i);
        else if (op == OP_INDEX_SELECT) indexSelectAt(i);
        else if (op == OP_INDEX_ADD) indexAddLine(i);
        else if (op == OP_STAGE_OUT) {
            if (sub == 0) fs[i] = f[meta[0] + i];
            else ds[i] = d[meta[0] + i];
        } else if (op == OP_STAGE_IN) {
            if (sub == 0) f[meta[0] + i] = fs[i];
            else d[meta[0] + i] = ds[i];
        }
    }

    // ---- element access ----

    private double load(int dtype, int off) {
        double v = 0;
        if (dtype == DT_F32) v = f[off];
        else v = d[off];
        return v;
    }

    private void store(int dtype, int off, double v) {
        if (dtype == DT_F32) f[off] = (float) v;
        else if (dtype == DT_F64) d[off] = v;
        else if (dtype == DT_INT) d[off] = (double) ((long) v);
        else if (dtype == DT_U8) d[off] = (double) (((int) v) & 255);
        else d[off] = v != 0 ? 1.0 : 0.0;
    }

    private int vtype(int v) { return meta[VIEW0 + v * VIEW_LEN + 1]; }

    /** Element offset of view v at row-major position i of the launch shape. */
    private int voff(int v, int i) {
        int base = VIEW0 + v * VIEW_LEN;
        int off = meta[base];
        int rem = i;
        for (int k = meta[0] - 1; k >= 0; k--) {
            int s = meta[SHAPE + k];
            off += (rem % s) * meta[base + 2 + k];
            rem = rem / s;
        }
        return off;
    }

    /** Coordinate of position i along dim k of the launch shape. */
    private int coord(int i, int k) {
        int rem = i;
        for (int j = meta[0] - 1; j > k; j--) rem = rem / meta[SHAPE + j];
        return rem % meta[SHAPE + k];
    }

    // ---- pointwise math (double precision, the reference's definitions) ----

    private double erfApprox(double x) {
        double ax = abs(x);
        double r = 0;
        if (ax < 1.0) {
            // Maclaurin series: 2/sqrt(pi) * sum (-1)^k x^(2k+1) / (k! (2k+1))
            double term = x, sum = x, x2 = x * x;
            for (int k = 1; k < 24; k++) {
                term = -term * x2 / k;
                sum += term / (2 * k + 1);
            }
            r = 1.1283791670955126 * sum;
        } else {
            double t = 1.0 / (1.0 + 0.5 * ax);
            double erfc = t * exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                    + t * (-0.82215223 + t * 0.17087277)))))))));
            r = x >= 0 ? 1.0 - erfc : erfc - 1.0;
        }
        return r;
    }

    private double sigmoidOf(double x) {
        double r = 0;
        if (x >= 0) r = 1.0 / (1.0 + exp(-x));
        else r = exp(x) / (1.0 + exp(x));
        return r;
    }

    private double geluGrad(double x) {
        return 0.5 * (1.0 + erfApprox(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x);
    }

    /** UnaryOp ordinals: NEG EXP LOG SQRT RSQRT ABS SIGN RELU GELU SIGMOID TANH ERF SOFTPLUS POW CLAMP ADD MUL RDIV NOT. */
    private double unary(int u, double x) {
        double r = 0;
        if (u == 0) r = -x;
        else if (u == 1) r = exp(x);
        else if (u == 2) r = log(x);
        else if (u == 3) r = sqrt(x);
        else if (u == 4) r = 1.0 / sqrt(x);
        else if (u == 5) r = abs(x);
        else if (u == 6) r = x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
        else if (u == 7) r = x > 0 ? x : 0.0;
        else if (u == 8) r = 0.5 * x * (1.0 + erfApprox(x * 0.7071067811865476));
        else if (u == 9) r = sigmoidOf(x);
        else if (u == 10) r = tanh(x);
        else if (u == 11) r = erfApprox(x);
        else if (u == 12) r = x * p1 > p2 ? x : log1p(exp(p1 * x)) / p1;
        else if (u == 13) r = pow(x, p1);
        else if (u == 14) r = min(max(x, p1), p2);
        else if (u == 15) r = x + p1;
        else if (u == 16) r = x * p1;
        else if (u == 17) r = p1 / x;
        else r = x == 0 ? 1.0 : 0.0;
        return r;
    }

    /** BinaryOp ordinals: ADD SUB MUL DIV MAX MIN EQ NE LT LE GT GE AND OR RELU_G GELU_G SIGMOID_G TANH_G. */
    private void binaryAt(int i) {
        double a = load(vtype(0), voff(0, i)), b = load(vtype(1), voff(1, i));
        double r = 0;
        if (sub == 0) r = a + b;
        else if (sub == 1) r = a - b;
        else if (sub == 2) r = a * b;
        else if (sub == 3) r = a / b;
        else if (sub == 4) r = a != a ? a : (b != b ? b : max(a, b));
        else if (sub == 5) r = a != a ? a : (b != b ? b : min(a, b));
        else if (sub == 6) r = a == b ? 1 : 0;
        else if (sub == 7) r = a != b ? 1 : 0;
        else if (sub == 8) r = a < b ? 1 : 0;
        else if (sub == 9) r = a <= b ? 1 : 0;
        else if (sub == 10) r = a > b ? 1 : 0;
        else if (sub == 11) r = a >= b ? 1 : 0;
        else if (sub == 12) r = (a != 0 && b != 0) ? 1 : 0;
        else if (sub == 13) r = (a != 0 || b != 0) ? 1 : 0;
        else if (sub == 14) r = a > 0 ? b : 0.0;
        else if (sub == 15) r = b * geluGrad(a);
        else if (sub == 16) r = b * a * (1.0 - a);
        else r = b * (1.0 - a * a);
        store(vtype(2), voff(2, i), r);
    }

    // ---- reductions: one work-item per output, the reduced dims walked in order ----

    private void reduceAt(int o) {
        int srcOff = voff(0, o), innerRank = meta[EXTRA], innerN = meta[EXTRA + 1 + 2 * MAXR];
        int dt = vtype(0);
        double acc = 0.0; // MAX/MIN take element 0 first, like the reference
        int best = 0;
        for (int i = 0; i < innerN; i++) {
            int off = srcOff, rem = i;
            for (int k = innerRank - 1; k >= 0; k--) {
                int s = meta[EXTRA + 1 + k];
                off += (rem % s) * meta[EXTRA + 1 + MAXR + k];
                rem = rem / s;
            }
            double v = load(dt, off);
            if (sub == 0) acc += v;
            else if (sub == 1) {
                if (i == 0 || v > acc || (v != v && acc == acc)) { acc = v; best = i; }
            } else {
                if (i == 0 || v < acc || (v != v && acc == acc)) { acc = v; best = i; }
            }
        }
        store(vtype(1), meta[VIEW0 + VIEW_LEN] + o, acc);
        if (meta[EXTRA + 2 + 2 * MAXR] != 0) d[meta[EXTRA + 3 + 2 * MAXR] + o] = best;
    }

    // ---- fused row ops (float32, contiguous rows) ----

    private void softmaxRow(int r) {
        int dd = meta[0], xo = meta[1] + r * dd, oo = meta[2] + r * dd;
        double mx = f[xo];
        for (int i = 1; i < dd; i++) mx = max(mx, (double) f[xo + i]);
        double sum = 0;
        for (int i = 0; i < dd; i++) sum += exp(f[xo + i] - mx);
        double logSum = log(sum);
        for (int i = 0; i < dd; i++) {
            double z = f[xo + i] - mx;
            f[oo + i] = (float) (sub == 1 ? z - logSum : exp(z) / sum);
        }
    }

    /** meta: d, x, w (-1 none), wStride, b (-1 none), bStride, out, mean, rstd; p1 = eps. */
    private void layerNormRow(int r) {
        int dd = meta[0], xo = meta[1] + r * dd, oo = meta[6] + r * dd;
        double mu = 0;
        for (int i = 0; i < dd; i++) mu += f[xo + i];
        mu /= dd;
        double var = 0;
        for (int i = 0; i < dd; i++) {
            double t = f[xo + i] - mu;
            var += t * t;
        }
        double rs = 1.0 / sqrt(var / dd + p1);
        f[meta[7] + r] = (float) mu;
        f[meta[8] + r] = (float) rs;
        for (int i = 0; i < dd; i++) {
            double y = (f[xo + i] - mu) * rs;
            if (meta[2] >= 0) y *= f[meta[2] + i * meta[3]];
            if (meta[4] >= 0) y += f[meta[4] + i * meta[5]];
            f[oo + i] = (float) y;
        }
    }

    /** meta: d, rows, gy, x, w (-1 none), wStride, mean, rstd, gx, gw (-1 none), gb (-1 none). */
    private void layerNormBackwardRow(int r) {
        int dd = meta[0], xo = meta[3] + r * dd, go = meta[2] + r * dd;
        double mu = f[meta[6] + r], rs = f[meta[7] + r];
        double sumG = 0, sumGX = 0;
        for (int i = 0; i < dd; i++) {
            double xhat = (f[xo + i] - mu) * rs, g = f[go + i];
            double w = meta[4] >= 0 ? f[meta[4] + i * meta[5]] : 1.0;
            sumG += g * w;
            sumGX += g * w * xhat;
        }
        for (int i = 0; i < dd; i++) {
            double xhat = (f[xo + i] - mu) * rs;
            double w = meta[4] >= 0 ? f[meta[4] + i * meta[5]] : 1.0;
            f[meta[8] + r * dd + i] = (float) (rs * (f[go + i] * w - sumG / dd - xhat * sumGX / dd));
        }
    }

    private void layerNormBackwardColumn(int i) {
        int dd = meta[0], rows = meta[1];
        double accW = 0, accB = 0;
        for (int r = 0; r < rows; r++) {
            double g = f[meta[2] + r * dd + i];
            accW += g * (f[meta[3] + r * dd + i] - f[meta[6] + r]) * f[meta[7] + r];
            accB += g;
        }
        if (meta[9] >= 0) f[meta[9] + i] = (float) accW;
        if (meta[10] >= 0) f[meta[10] + i] = (float) accB;
    }

    // ---- GEMM: C = A @ B (+ C), 64x64 tiles in local memory, 4x4 outputs per work-item ----

    /** meta: M N K a am ak b bk bn c cm cn accumulate batchRank batchShape[6] aBatch[6] bBatch[6] cBatch[6]. */
    private void gemm() {
        int m = meta[0], nn = meta[1], kk = meta[2];
        int am = meta[4], ak = meta[5], bk = meta[7], bn = meta[8], cm = meta[10], cn = meta[11];
        int aOff = meta[3], bOff = meta[6], cOff = meta[9];
        int rem = getGlobalId(2);
        for (int q = meta[13] - 1; q >= 0; q--) {
            int s = meta[14 + q], c = rem % s;
            rem = rem / s;
            aOff += c * meta[20 + q];
            bOff += c * meta[26 + q];
            cOff += c * meta[32 + q];
        }
        int tx = getLocalId(0), ty = getLocalId(1), lid = ty * LOCAL + tx;
        int m0 = getGroupId(1) * TILE, n0 = getGroupId(0) * TILE;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int k0 = 0; k0 < kk; k0 += TK) {
            for (int q = 0; q < 4; q++) {
                int e = lid + q * LOCAL * LOCAL;
                int ar = e / TK, ac = e % TK;
                int gm = m0 + ar, gk = k0 + ac;
                tileA[e] = (gm < m && gk < kk) ? f[aOff + gm * am + gk * ak] : 0f;
                int br = e / TILE, bc = e % TILE;
                int gk2 = k0 + br, gn = n0 + bc;
                tileB[e] = (gk2 < kk && gn < nn) ? f[bOff + gk2 * bk + gn * bn] : 0f;
            }
            localBarrier();
            for (int p = 0; p < TK; p++) {
                float a0 = tileA[ty * TK + p], a1 = tileA[(ty + 16) * TK + p];
                float a2 = tileA[(ty + 32) * TK + p], a3 = tileA[(ty + 48) * TK + p];
                float b0 = tileB[p * TILE + tx], b1 = tileB[p * TILE + tx + 16];
                float b2 = tileB[p * TILE + tx + 32], b3 = tileB[p * TILE + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            localBarrier();
        }
        storeC(cOff, m0 + ty, n0 + tx, c00, c01, c02, c03);
        storeC(cOff, m0 + ty + 16, n0 + tx, c10, c11, c12, c13);
        storeC(cOff, m0 + ty + 32, n0 + tx, c20, c21, c22, c23);
        storeC(cOff, m0 + ty + 48, n0 + tx, c30, c31, c32, c33);
    }

    private void storeC(int cOff, int row, int col, float v0, float v1, float v2, float v3) {
        if (row < meta[0]) {
            int base = cOff + row * meta[10];
            storeC1(base, col, v0);
            storeC1(base, col + 16, v1);
            storeC1(base, col + 32, v2);
            storeC1(base, col + 48, v3);
        }
    }

    private void storeC1(int base, int col, float v) {
        if (col < meta[1]) {
            int at = base + col * meta[11];
            if (meta[12] != 0) f[at] = f[at] + v;
            else f[at] = v;
        }
    }

    // ---- convolution helpers: im2col / col2im of one image (contiguous CHW) ----
    // meta: C H W kh kw sh sw ph pw dh dw OH OW x col

    private void im2colAt(int i) {
        int ohw = meta[11] * meta[12], p = i % ohw, row = i / ohw;
        int kw = meta[4], kh = meta[3];
        int c = row / (kh * kw), ki = (row / kw) % kh, kj = row % kw;
        int oy = p / meta[12], ox = p % meta[12];
        int iy = oy * meta[5] - meta[7] + ki * meta[9], ix = ox * meta[6] - meta[8] + kj * meta[10];
        float v = 0f;
        if (iy >= 0 && iy < meta[1] && ix >= 0 && ix < meta[2]) v = f[meta[13] + (c * meta[1] + iy) * meta[2] + ix];
        f[meta[14] + i] = v;
    }

    private void col2imAt(int i) {
        int hh = meta[1], ww = meta[2], kh = meta[3], kw = meta[4], oh = meta[11], ow = meta[12];
        int c = i / (hh * ww), iy = (i / ww) % hh, ix = i % ww;
        float acc = 0f;
        for (int ki = 0; ki < kh; ki++) {
            int ty = iy + meta[7] - ki * meta[9];
            if (ty >= 0 && ty % meta[5] == 0 && ty / meta[5] < oh) {
                for (int kj = 0; kj < kw; kj++) {
                    int tx = ix + meta[8] - kj * meta[10];
                    if (tx >= 0 && tx % meta[6] == 0 && tx / meta[6] < ow) {
                        acc += f[meta[14] + ((c * kh + ki) * kw + kj) * oh * ow + (ty / meta[5]) * ow + tx / meta[6]];
                    }
                }
            }
        }
        f[meta[13] + i] = acc;
    }

    // ---- pooling: meta H W OH OW kh kw sh sw ph pw dh dw x out indices countIncludePad ----

    private void maxPoolAt(int i) {
        int hh = meta[0], ww = meta[1], oh = meta[2], ow = meta[3];
        int pl = i / (oh * ow), oy = (i / ow) % oh, ox = i % ow, xb = meta[12] + pl * hh * ww;
        double best = 0.0; // replaced by the first element inside the input
        int arg = -1;
        for (int a = 0; a < meta[4]; a++) {
            int iy = oy * meta[6] - meta[8] + a * meta[10];
            if (iy >= 0 && iy < hh) {
                for (int b = 0; b < meta[5]; b++) {
                    int ix = ox * meta[7] - meta[9] + b * meta[11];
                    if (ix >= 0 && ix < ww) {
                        double v = f[xb + iy * ww + ix];
                        if (arg < 0 || v > best || v != v) { best = v; arg = iy * ww + ix; }
                    }
                }
            }
        }
        f[meta[13] + i] = (float) best;
        d[meta[14] + i] = arg;
    }

    /** meta: inPlane outPlane gy indices gx. */
    private void maxPoolBackwardPlane(int pl) {
        int inPlane = meta[0], outPlane = meta[1];
        for (int o = 0; o < outPlane; o++) {
            int at = meta[4] + pl * inPlane + (int) d[meta[3] + pl * outPlane + o];
            f[at] = f[at] + f[meta[2] + pl * outPlane + o];
        }
    }

    /** Forward writes the window mean to f[outAt]; backward spreads g over the window. */
    private void avgWindow(int pl, int oy, int ox, boolean backward, double g, int outAt) {
        int hh = meta[0], ww = meta[1];
        int y0 = oy * meta[6] - meta[8], x0 = ox * meta[7] - meta[9];
        int y1 = min(y0 + meta[4], hh + meta[8]), x1 = min(x0 + meta[5], ww + meta[9]);
        int poolSize = (y1 - y0) * (x1 - x0);
        y0 = max(y0, 0);
        x0 = max(x0, 0);
        y1 = min(y1, hh);
        x1 = min(x1, ww);
        int div = meta[15] != 0 ? poolSize : (y1 - y0) * (x1 - x0);
        double s = 0;
        int base = (backward ? meta[13] : meta[12]) + pl * hh * ww;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if (backward) f[base + y * ww + x] = (float) (f[base + y * ww + x] + g / div);
                else s += f[base + y * ww + x];
            }
        }
        if (!backward) f[outAt] = (float) (s / div);
    }

    private void avgPoolAt(int i) {
        int oh = meta[2], ow = meta[3];
        avgWindow(i / (oh * ow), (i / ow) % oh, i % ow, false, 0, meta[13] + i);
    }

    /** Backward: x slot (meta[12]) holds gradOut, out slot (meta[13]) gradInput. */
    private void avgPoolBackwardPlane(int pl) {
        int oh = meta[2], ow = meta[3];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                avgWindow(pl, oy, ox, true, f[meta[12] + (pl * oh + oy) * ow + ox], 0);
            }
        }
    }

    /** meta: H W OH OW in out (in = x / gradInput, out = y / gradOut). */
    private void adaptivePlane(int pl, boolean backward) {
        int hh = meta[0], ww = meta[1], oh = meta[2], ow = meta[3];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int y0 = (oy * hh) / oh, y1 = ((oy + 1) * hh + oh - 1) / oh;
                int x0 = (ox * ww) / ow, x1 = ((ox + 1) * ww + ow - 1) / ow;
                int cnt = (y1 - y0) * (x1 - x0), oo = meta[5] + (pl * oh + oy) * ow + ox;
                double s = 0, g = f[oo] / (double) cnt;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int at = meta[4] + (pl * hh + y) * ww + x;
                        if (backward) f[at] = (float) (f[at] + g);
                        else s += f[at];
                    }
                }
                if (!backward) f[oo] = (float) (s / cnt);
            }
        }
    }

    // ---- resize with precomputed taps (in the d arena): meta ih iw oh ow ny nx tyI tyW txI txW in out ----

    private void resizeAt(int i) {
        int ih = meta[0], iw = meta[1], oh = meta[2], ow = meta[3], ny = meta[4], nx = meta[5];
        int pl = i / (oh * ow), oy = (i / ow) % oh, ox = i % ow, ib = meta[10] + pl * ih * iw;
        double acc = 0;
        for (int a = 0; a < ny; a++) {
            int sy = (int) d[meta[6] + oy * ny + a];
            double wy = d[meta[7] + oy * ny + a];
            for (int b = 0; b < nx; b++) {
                acc += wy * d[meta[9] + ox * nx + b] * f[ib + sy * iw + (int) d[meta[8] + ox * nx + b]];
            }
        }
        f[meta[11] + i] = (float) acc;
    }

    /** Backward: in slot = gradInput (accumulated), out slot = gradOut. */
    private void resizeBackwardPlane(int pl) {
        int ih = meta[0], iw = meta[1], oh = meta[2], ow = meta[3], ny = meta[4], nx = meta[5];
        int ib = meta[10] + pl * ih * iw;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                double g = f[meta[11] + (pl * oh + oy) * ow + ox];
                for (int a = 0; a < ny; a++) {
                    int sy = (int) d[meta[6] + oy * ny + a];
                    double wy = d[meta[7] + oy * ny + a];
                    for (int b = 0; b < nx; b++) {
                        int at = ib + sy * iw + (int) d[meta[8] + ox * nx + b];
                        f[at] = (float) (f[at] + wy * d[meta[9] + ox * nx + b] * g);
                    }
                }
            }
        }
    }

    // ---- indexing; EXTRA: other offset, dtype, dim, size, strides[MAXR], index offset, index stride, count, dimStride ----

    private int checkedIndex(double v) {
        int size = meta[EXTRA + 3];
        int idx = (int) v;
        if (idx < 0 || idx >= size) {
            err[0] = 1;
            err[1] = idx;
            idx = 0;
        }
        return idx;
    }

    /** Offset in the EXTRA view of launch position i, with dim `skip` contributing c instead. */
    private int extraOff(int i, int skip, int c) {
        int off = meta[EXTRA];
        for (int k = 0; k < meta[0]; k++) {
            int ck = k == skip ? c : coord(i, k);
            off += ck * meta[EXTRA + 4 + k];
        }
        return off;
    }

    /** Launch shape = index shape; view 0 index, view 1 out. */
    private void gatherAt(int i) {
        int dim = meta[EXTRA + 2];
        int src = extraOff(i, dim, checkedIndex(d[voff(0, i)]));
        store(vtype(1), voff(1, i), load(meta[EXTRA + 1], src));
    }

    /** Launch shape = index shape with dim set to 1; view 0 index, view 1 src; EXTRA dst. */
    private void scatterAddLine(int i) {
        int dim = meta[EXTRA + 2], count = meta[EXTRA + 14];
        int iOff = voff(0, i), sOff = voff(1, i);
        int iStep = meta[VIEW0 + 2 + dim], sStep = meta[VIEW0 + VIEW_LEN + 2 + dim];
        int dt = meta[EXTRA + 1];
        for (int j = 0; j < count; j++) {
            int at = extraOff(i, dim, checkedIndex(d[iOff + j * iStep]));
            store(dt, at, load(dt, at) + load(vtype(1), sOff + j * sStep));
        }
    }

    /** Launch shape = out shape; view 0 out; EXTRA src; index 1-D. */
    private void indexSelectAt(int i) {
        int dim = meta[EXTRA + 2];
        int c = checkedIndex(d[meta[EXTRA + 12] + coord(i, dim) * meta[EXTRA + 13]]);
        store(vtype(0), voff(0, i), load(meta[EXTRA + 1], extraOff(i, dim, c)));
    }

    /** Launch shape = src shape with dim set to 1; view 0 src; EXTRA dst; index 1-D of length count. */
    private void indexAddLine(int i) {
        int dim = meta[EXTRA + 2], count = meta[EXTRA + 14], sStep = meta[EXTRA + 15];
        int sOff = voff(0, i), dt = meta[EXTRA + 1];
        for (int j = 0; j < count; j++) {
            int c = checkedIndex(d[meta[EXTRA + 12] + j * meta[EXTRA + 13]]);
            int at = extraOff(i, dim, c);
            store(dt, at, load(dt, at) + load(vtype(0), sOff + j * sStep));
        }
    }
}
