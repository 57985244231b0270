package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.RefResize;
import dev.maskseg.engine.storage.HostStorage;

import java.util.Arrays;

import static dev.maskseg.engine.aparapi.EngineKernel.*;

/**
 * Launch logic of the float32 network ops: batched GEMM, convolution as im2col + GEMM (1x1
 * stride-1 convolutions read the input directly), row ops, pooling and resizing. Called by
 * {@link AparapiBackend} with its lock held.
 */
final class DeviceNn {
    private final AparapiBackend be;
    private final Launcher l;

    DeviceNn(AparapiBackend be) {
        this.be = be;
        this.l = be.launcher;
    }

    private static void requireF32(String op, View... views) {
        for (View v : views) {
            if (v != null && v.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException("aparapi " + op + ": float32 tensors only, got " + v.dtype()
                        + " of shape " + Arrays.toString(v.shape()));
            }
        }
    }

    private void zero(View v) {
        l.strided(v.shape(), v);
        l.k.p1 = 0;
        l.launch(OP_FILL, 0, v.numel());
    }

    /** The view itself when contiguous, else a contiguous device copy. */
    private View dense(View v) {
        if (v.isContiguous()) return v;
        AparapiStorage s = be.arena.allocate(v.dtype(), v.numel());
        View out = new View(s, 0, v.shape(), View.contiguousStrides(v.shape()));
        l.strided(v.shape(), v, out);
        l.launch(OP_COPY, 0, v.numel());
        return out;
    }

    private View temp(int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return new View(be.arena.allocate(DType.FLOAT32, n), 0, shape, View.contiguousStrides(shape));
    }

    /** One GEMM launch: C[b] (+)= A[b] @ B[b] for b over a 1-d batch with the given element strides. */
    private void gemm(int m, int n, int k, int a, int am, int ak, int b, int bk, int bn, int c, int cm, int cn,
                      boolean accumulate, int batch, int aBatch, int bBatch, int cBatch) {
        int[] meta = l.meta();
        int[] head = {m, n, k, a, am, ak, b, bk, bn, c, cm, cn, accumulate ? 1 : 0, 1, batch};
        System.arraycopy(head, 0, meta, 0, head.length);
        meta[20] = aBatch;
        meta[26] = bBatch;
        meta[32] = cBatch;
        l.launchGemm(m, n, batch);
    }

    void matmul(View a, View b, View dst) {
        requireF32("matmul", a, b, dst);
        int r = a.rank(), m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
        if (r - 2 > 6) throw new IllegalArgumentException("aparapi matmul: more than 6 batch dims");
        int[] meta = l.meta();
        int[] head = {m, n, k, Launcher.at(a), a.strides()[r - 2], a.strides()[r - 1], Launcher.at(b),
                b.strides()[r - 2], b.strides()[r - 1], Launcher.at(dst), dst.strides()[r - 2], dst.strides()[r - 1], 0, r - 2};
        System.arraycopy(head, 0, meta, 0, head.length);
        int batch = 1;
        for (int i = 0; i < r - 2; i++) {
            meta[14 + i] = a.shape()[i];
            meta[20 + i] = a.strides()[i];
            meta[26 + i] = b.strides()[i];
            meta[32 + i] = dst.strides()[i];
            batch *= a.shape()[i];
        }
        if (k == 0) {
            zero(dst);
            return;
        }
        l.launchGemm(m, n, batch);
    }

    /** Geometry shared by the three convolution entry points. */
    private record Geo(int n, int cin, int h, int w, int cout, int cinG, int kh, int kw, int oh, int ow, int groups) {
        int kG() { return cinG * kh * kw; }
        int p() { return oh * ow; }
        int coutG() { return cout / groups; }
        boolean pointwise(ConvParams c) {
            return kh == 1 && kw == 1 && c.strideH() == 1 && c.strideW() == 1 && c.padH() == 0 && c.padW() == 0;
        }
    }

    private static Geo geo(View x, View w, View y, ConvParams p) {
        return new Geo(x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3], w.shape()[0], w.shape()[1],
                w.shape()[2], w.shape()[3], y.shape()[2], y.shape()[3], p.groups());
    }

    private void colMeta(Geo g, ConvParams p, int image, int col) {
        int[] m = l.meta();
        int[] v = {g.cin(), g.h(), g.w(), g.kh(), g.kw(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                p.dilationH(), p.dilationW(), g.oh(), g.ow(), image, col};
        System.arraycopy(v, 0, m, 0, v.length);
    }

    /** The im2col matrix of image b ([Cin*kh*kw, OH*OW] offset), or the image itself for 1x1 convs. */
    private int columns(Geo g, ConvParams p, int xAt, View col) {
        if (g.pointwise(p)) return xAt;
        colMeta(g, p, xAt, Launcher.at(col));
        l.launch(OP_IM2COL, 0, g.cin() * g.kh() * g.kw() * g.p());
        return Launcher.at(col);
    }

    void conv2d(View x, View w, View bias, ConvParams p, View out) {
        requireF32("conv2d", x, w, bias, out);
        x = dense(x);
        w = dense(w);
        Geo g = geo(x, w, out, p);
        View col = g.pointwise(p) ? null : temp(g.cin() * g.kh() * g.kw(), g.p());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.p();
        for (int b = 0; b < g.n(); b++) {
            int cols = columns(g, p, Launcher.at(x) + b * xImage, col);
            gemm(g.coutG(), g.p(), g.kG(), Launcher.at(w), g.kG(), 1, cols, g.p(), 1,
                    Launcher.at(out) + b * yImage, g.p(), 1, false, g.groups(), g.coutG() * g.kG(), g.kG() * g.p(), g.coutG() * g.p());
        }
        if (bias != null) {
            int[] shape = {g.n(), g.cout(), g.p()};
            View o = new View(out.storage(), out.offset(), shape, View.contiguousStrides(shape));
            View bv = new View(bias.storage(), bias.offset(), shape, new int[]{0, bias.strides()[0], 0});
            l.strided(shape, o, bv, o);
            l.launch(OP_BINARY, 0, o.numel());
        }
    }

    void conv2dBackwardInput(View gy, View w, ConvParams p, View gx) {
        requireF32("conv2d backward", gy, w, gx);
        gy = dense(gy);
        w = dense(w);
        Geo g = geo(gx, w, gy, p);
        boolean direct = g.pointwise(p);
        View col = direct ? null : temp(g.cin() * g.kh() * g.kw(), g.p());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.p();
        for (int b = 0; b < g.n(); b++) {
            int gxAt = Launcher.at(gx) + b * xImage;
            int target = direct ? gxAt : Launcher.at(col);
            gemm(g.kG(), g.p(), g.coutG(), Launcher.at(w), 1, g.kG(), Launcher.at(gy) + b * yImage, g.p(), 1,
                    target, g.p(), 1, false, g.groups(), g.coutG() * g.kG(), g.coutG() * g.p(), g.kG() * g.p());
            if (!direct) {
                colMeta(g, p, gxAt, Launcher.at(col));
                l.launch(OP_COL2IM, 0, xImage);
            }
        }
    }

    void conv2dBackwardWeight(View gy, View x, ConvParams p, View gw) {
        requireF32("conv2d backward", gy, x, gw);
        gy = dense(gy);
        x = dense(x);
        Geo g = geo(x, gw, gy, p);
        View col = g.pointwise(p) ? null : temp(g.cin() * g.kh() * g.kw(), g.p());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.p();
        for (int b = 0; b < g.n(); b++) {
            int cols = columns(g, p, Launcher.at(x) + b * xImage, col);
            gemm(g.coutG(), g.kG(), g.p(), Launcher.at(gy) + b * yImage, g.p(), 1, cols, 1, g.p(),
                    Launcher.at(gw), g.kG(), 1, b > 0, g.groups(), g.coutG() * g.p(), g.kG() * g.p(), g.coutG() * g.kG());
        }
        if (g.n() == 0) zero(gw);
    }

    // ---- row ops ----

    private static int rows(View x) {
        int d = x.shape()[x.rank() - 1];
        return d == 0 ? 0 : x.numel() / d;
    }

    void softmax(View x, View out, boolean log) {
        requireF32("softmax", x, out);
        x = dense(x);
        int[] m = l.meta();
        m[0] = x.shape()[x.rank() - 1];
        m[1] = Launcher.at(x);
        m[2] = Launcher.at(out);
        l.launch(OP_SOFTMAX, log ? 1 : 0, rows(x));
    }

    void layerNorm(View x, View w, View b, double eps, View out, View mean, View rstd) {
        requireF32("layer_norm", x, w, b, out, mean, rstd);
        x = dense(x);
        int[] m = l.meta();
        int[] v = {x.shape()[x.rank() - 1], Launcher.at(x), w == null ? -1 : Launcher.at(w), w == null ? 0 : w.strides()[0],
                b == null ? -1 : Launcher.at(b), b == null ? 0 : b.strides()[0], Launcher.at(out), Launcher.at(mean), Launcher.at(rstd)};
        System.arraycopy(v, 0, m, 0, v.length);
        l.k.p1 = eps;
        l.launch(OP_LAYERNORM, 0, rows(x));
    }

    void layerNormBackward(View gy, View x, View w, View mean, View rstd, View gx, View gw, View gb) {
        requireF32("layer_norm backward", gy, x, w, mean, rstd, gx, gw, gb);
        gy = dense(gy);
        x = dense(x);
        int d = x.shape()[x.rank() - 1];
        int[] v = {d, rows(x), Launcher.at(gy), Launcher.at(x), w == null ? -1 : Launcher.at(w), w == null ? 0 : w.strides()[0],
                Launcher.at(mean), Launcher.at(rstd), Launcher.at(gx), gw == null ? -1 : Launcher.at(gw), gb == null ? -1 : Launcher.at(gb)};
        System.arraycopy(v, 0, l.meta(), 0, v.length);
        l.launch(OP_LN_BWD_X, 0, rows(x));
        if (gw != null || gb != null) {
            System.arraycopy(v, 0, l.meta(), 0, v.length);
            l.launch(OP_LN_BWD_WB, 0, d);
        }
    }

    // ---- pooling and resizing over NCHW planes ----

    private static int planes(View v) { return v.shape()[0] * v.shape()[1]; }

    private void poolMeta(View in, View out, PoolParams p) {
        int[] v = {in.shape()[2], in.shape()[3], out.shape()[2], out.shape()[3], p.kernelH(), p.kernelW(), p.strideH(),
                p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW()};
        System.arraycopy(v, 0, l.meta(), 0, v.length);
    }

    void maxPool2d(View x, PoolParams p, View out, View indices) {
        requireF32("max_pool2d", x, out);
        x = dense(x);
        poolMeta(x, out, p);
        int[] m = l.k.meta;
        m[12] = Launcher.at(x);
        m[13] = Launcher.at(out);
        m[14] = Launcher.at(indices);
        l.launch(OP_MAXPOOL, 0, out.numel());
    }

    void maxPool2dBackward(View gy, View indices, View gx) {
        requireF32("max_pool2d backward", gy, gx);
        gy = dense(gy);
        int[] m = l.meta();
        m[0] = gx.shape()[2] * gx.shape()[3];
        m[1] = gy.shape()[2] * gy.shape()[3];
        m[2] = Launcher.at(gy);
        m[3] = Launcher.at(indices);
        m[4] = Launcher.at(gx);
        l.launch(OP_MAXPOOL_BWD, 0, planes(gy));
    }

    /** Forward: (x, out). Backward: (gradOut, gradInput), accumulating into gradInput. */
    void avgPool2d(View src, PoolParams p, View dst, boolean backward) {
        requireF32("avg_pool2d", src, dst);
        src = dense(src);
        View in = backward ? dst : src, out = backward ? src : dst;
        poolMeta(in, out, p);
        int[] m = l.k.meta;
        m[12] = Launcher.at(src);
        m[13] = Launcher.at(dst);
        m[15] = p.countIncludePad() ? 1 : 0;
        if (backward) l.launch(OP_AVGPOOL_BWD, 0, planes(in));
        else l.launch(OP_AVGPOOL, 0, out.numel());
    }

    /** in = x or gradInput, out = y or gradOut. */
    void adaptive(View in, View out, boolean backward) {
        requireF32("adaptive_avg_pool2d", in, out);
        if (backward) out = dense(out);
        else in = dense(in);
        int[] m = l.meta();
        int[] v = {in.shape()[2], in.shape()[3], out.shape()[2], out.shape()[3], Launcher.at(in), Launcher.at(out)};
        System.arraycopy(v, 0, m, 0, v.length);
        l.launch(backward ? OP_ADAPTIVE_BWD : OP_ADAPTIVE, 0, planes(in));
    }

    private int uploadDoubles(double[] values) {
        AparapiStorage s = be.arena.allocate(DType.FLOAT64, values.length);
        be.upload(new HostStorage.F64(values), 0, s.offset, values.length);
        return s.offset;
    }

    /** in = x or gradInput (accumulated), out = y or gradOut. */
    void resize(View in, ResizeParams p, View out, boolean backward) {
        requireF32("interpolate", in, out);
        if (backward) out = dense(out);
        else in = dense(in);
        int ih = in.shape()[2], iw = in.shape()[3], oh = out.shape()[2], ow = out.shape()[3];
        RefResize.Taps ty = RefResize.taps(p.mode(), ih, oh, p.alignCorners(), p.scaleH());
        RefResize.Taps tx = RefResize.taps(p.mode(), iw, ow, p.alignCorners(), p.scaleW());
        int tyI = uploadDoubles(Arrays.stream(ty.index()).asDoubleStream().toArray()), tyW = uploadDoubles(ty.weight());
        int txI = uploadDoubles(Arrays.stream(tx.index()).asDoubleStream().toArray()), txW = uploadDoubles(tx.weight());
        int[] v = {ih, iw, oh, ow, ty.ntaps(), tx.ntaps(), tyI, tyW, txI, txW, Launcher.at(in), Launcher.at(out)};
        System.arraycopy(v, 0, l.meta(), 0, v.length);
        if (backward) l.launch(OP_RESIZE_BWD, 0, planes(in));
        else l.launch(OP_RESIZE, 0, out.numel());
    }
}
