package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.ConvShape;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/**
 * conv2d on contiguous float32 NCHW data as GEMMs. Stride 1 (forward, weight and input gradients) runs on shifted
 * zero-padded planes ({@link ShiftedConv}; the input gradient as the transposed convolution). Otherwise forward and
 * weight gradient read im2col columns on the fly (implicit GEMM), and the input gradient computes column blocks of
 * W^T * dY and scatters them back (col2im) block by block, so memory stays bounded. 1x1/stride-1/no-pad is a plain GEMM.
 */
final class JvmConv {
    private static final int COL_BLOCK = 1024;
    private static final ScratchBuffer COLS = new ScratchBuffer();
    /**
     * The calling thread's buffer for a repacked kernel (per tap, flipped) or per-tap weight gradient: reused across
     * calls, as a fresh multi-megabyte array per call cost more than the convolution itself on 7x7 and 14x14 maps.
     */
    private static final ScratchBuffer PACKED = new ScratchBuffer();

    private JvmConv() {}

    private static PanelSource columns(float[] x, int xBase, ConvShape g, ConvParams p) {
        if (g.pointwise(p)) return PanelSource.strided(x, xBase, g.h() * g.w(), 1);
        return new Im2col(x, xBase, g.h(), g.w(), g.kh(), g.kw(), g.oh(), g.ow(), p);
    }

    static void forward(WorkerPool pool, View x, View w, View bias, ConvParams p, View out) {
        forward(pool, x, w, bias, p, out, null, null, false);
    }

    /**
     * out = conv2d(x, w, bias) [+ residual] [then ReLU]. With packed (a frozen layer's constant weights), the weight
     * forms every path derives (packed GEMM panels, per-tap panels, Winograd transforms) are made once and kept there.
     */
    static void forward(WorkerPool pool, View x, View w, View bias, ConvParams p, View out, PackedWeights packed, View residual,
                        boolean relu) {
        ConvShape g = ConvShape.of(x, w, out, p);
        float[] xs = f(x), ws = f(w), ys = f(out);
        int pix = g.pix();
        int tasks = g.n() * g.groups();
        boolean perImage = tasks >= pool.threads();
        boolean winograd = winograd(g, p);
        float[] u = !winograd ? null : packed == null ? WinogradConv.transformWeights(ws, w.offset(), g.coutG(), g.cinG())
                : packed.get(w.storage(), "winograd", k -> {
                    float[] scratch = WinogradConv.transformWeights(ws, w.offset(), g.coutG(), g.cinG());
                    return java.util.Arrays.copyOf(scratch, 16 * g.coutG() * g.cinG());
                });
        boolean pixelRows = packed != null && pixelRows(g, p);
        PackedB[] pixelRowsWeights = !pixelRows ? null : packed.get(w.storage(), "pixel-rows", k -> PixelRowsConv.packWeights(ws, w.offset(), g));
        PixelRowsConv.Offsets offsets = !pixelRows || g.pointwise(p) ? null
                : packed.get(w.storage(), PixelRowsConv.offsetsKey(g), k -> PixelRowsConv.Offsets.of(g, p));
        boolean tap = !winograd && !pixelRows && !g.pointwise(p) && TapConv.preferred(g.n(), g.cinG(), g.h(), g.w(), g.oh(), g.ow(), g.kh(), g.kw(), p);
        boolean shifted = !winograd && !pixelRows && !tap && !g.pointwise(p) && ShiftedConv.applies(g.cinG(), g.h(), g.w(), g.ow(), p);
        // the sums start from the bias (PixelRowsConv seeds its own transposed result); without one, out may hold anything
        // (JvmBackend.convOverwritesOutput), so the paths that accumulate into it start from zero
        if (bias != null ? !pixelRows : winograd || tap || shifted) {
            float[] b = bias == null ? null : f(bias);
            WorkerPool.eachUnit(pool, g.n() * g.cout(), (long) g.n() * g.cout() * pix, 65_536, plane -> java.util.Arrays.fill(ys,
                    out.offset() + plane * pix, out.offset() + (plane + 1) * pix, b == null ? 0f : b[bias.offset() + plane % g.cout() * bias.strides()[0]]));
        }
        float[] wt = tap && packed == null ? PACKED.atLeast(g.cout() * g.kdim()) : null;
        if (wt != null) for (int grp = 0; grp < g.groups(); grp++) {
            TapConv.tapsFirst(ws, w.offset() + grp * g.coutG() * g.kdim(), g.coutG(), g.cinG(), g.kh() * g.kw(), wt, grp * g.coutG() * g.kdim());
        }
        PanelSource[][] tapPanels = tap && packed != null ? packed.get(w.storage(), "taps", k -> packedTaps(ws, w.offset(), g)) : null;
        PanelSource[] weightPanels = !winograd && !tap && !pixelRows && packed != null ? packed.get(w.storage(), "gemm", k -> packedWeights(ws, w.offset(), g)) : null;
        float[] rs = residual == null ? null : f(residual);
        pool.forRange(perImage ? tasks : 1, t0 -> {
            for (int t = perImage ? t0 : 0; t < (perImage ? t0 + 1 : tasks); t++) {
                int n = t / g.groups(), grp = t % g.groups();
                int xBase = x.offset() + (n * g.cin() + grp * g.cinG()) * g.h() * g.w();
                int wBase = w.offset() + grp * g.coutG() * g.kdim(), yBase = out.offset() + (n * g.cout() + grp * g.coutG()) * pix;
                WorkerPool inner = perImage ? null : pool;
                PanelSource a = weightPanels != null ? weightPanels[grp] : PanelSource.strided(ws, wBase, g.kdim(), 1);
                if (pixelRows) {
                    PixelRowsConv.forward(inner, xs, xBase, g, p, pixelRowsWeights[grp], offsets, bias == null ? null : f(bias),
                            bias == null ? 0 : bias.offset() + grp * g.coutG() * bias.strides()[0], bias == null ? 0 : bias.strides()[0], ys, yBase);
                } else if (winograd) {
                    WinogradConv.forward(inner, xs, xBase, g.cinG(), g.h(), g.w(), u, g.coutG(), ys, yBase, g.oh(), g.ow(), p);
                } else if (tap) {
                    TapConv.forward(inner, xs, xBase, g.cinG(), g.h(), g.w(), wt, grp * g.coutG() * g.kdim(),
                            tapPanels == null ? null : tapPanels[grp], g.coutG(), g.kh(), g.kw(), ys, yBase, g.oh(), g.ow(), p);
                } else if (shifted) {
                    ShiftedConv.forward(inner, xs, xBase, g.cinG(), g.h(), g.w(), a, g.coutG(), g.kh(), g.kw(), ys, yBase, g.oh(), g.ow(), p);
                } else {
                    boolean overwrite = bias == null;   // y is not read then: no bias to add to, and the GEMM writes all of it
                    if (perImage) Sgemm.gemm(0, g.coutG(), 0, pix, g.kdim(), a, columns(xs, xBase, g, p), ys, yBase, pix, overwrite);
                    else Sgemm.gemm(pool, g.coutG(), pix, g.kdim(), a, columns(xs, xBase, g, p), ys, yBase, pix, overwrite);
                }
                if (rs != null || relu) {
                    int rBase = residual == null ? 0 : residual.offset() + yBase - out.offset();
                    Epilogue.addRelu(inner, ys, yBase, rs, rBase, g.coutG() * pix, relu);
                }
            }
        });
    }

    private static boolean winograd(ConvShape g, ConvParams p) {
        return g.groups() == 1 && WinogradConv.ENABLED && WinogradConv.applies(g.cinG(), g.coutG(), g.kh(), g.kw(), g.oh(), g.ow(), p);
    }

    /** Whether a frozen layer of this geometry runs as {@link PixelRowsConv} (Winograd goes first). */
    static boolean pixelRows(ConvShape g, ConvParams p) { return !winograd(g, p) && PixelRowsConv.applies(g, p); }

    /** Per group, the weights [coutG, kdim] packed as GEMM A operands. */
    private static PanelSource[] packedWeights(float[] ws, int wOff, ConvShape g) {
        PanelSource[] out = new PanelSource[g.groups()];
        for (int grp = 0; grp < g.groups(); grp++) {
            out[grp] = PackedA.of(PanelSource.strided(ws, wOff + grp * g.coutG() * g.kdim(), g.kdim(), 1), g.coutG(), g.kdim());
        }
        return out;
    }

    /** Per group and tap, the [coutG, cinG] weight slice packed as a GEMM A operand (what {@link TapConv} multiplies by). */
    private static PanelSource[][] packedTaps(float[] ws, int wOff, ConvShape g) {
        int taps = g.kh() * g.kw();
        float[] wt = new float[g.coutG() * g.kdim()];
        PanelSource[][] out = new PanelSource[g.groups()][taps];
        for (int grp = 0; grp < g.groups(); grp++) {
            TapConv.tapsFirst(ws, wOff + grp * g.coutG() * g.kdim(), g.coutG(), g.cinG(), taps, wt, 0);
            for (int t = 0; t < taps; t++) {
                out[grp][t] = PackedA.of(PanelSource.strided(wt, t * g.coutG() * g.cinG(), g.cinG(), 1), g.coutG(), g.cinG());
            }
        }
        return out;
    }

    static void backwardWeight(WorkerPool pool, View gy, View x, ConvParams p, View gw) {
        ConvShape g = ConvShape.of(x, gw, gy, p);
        float[] xs = f(x), gys = f(gy), gws = f(gw);
        int pix = g.pix(), kd = g.kdim();
        java.util.Arrays.fill(gws, gw.offset(), gw.offset() + gw.numel(), 0f);
        boolean tap = !g.pointwise(p) && TapConv.preferred(g.n(), g.cinG(), g.h(), g.w(), g.oh(), g.ow(), g.kh(), g.kw(), p);
        boolean shifted = !tap && !g.pointwise(p) && ShiftedConv.applies(g.cinG(), g.h(), g.w(), g.ow(), p);
        float[] gwt = tap ? PACKED.atLeast(g.coutG() * kd) : null;
        for (int grp = 0; grp < g.groups(); grp++) {
            int wBase = gw.offset() + grp * g.coutG() * kd;
            for (int n = 0; n < g.n(); n++) {
                if (tap) {
                    TapConv.weightGradient(pool, xs, x.offset() + (n * g.cin() + grp * g.cinG()) * g.h() * g.w(), g.cinG(), g.h(), g.w(),
                            gys, gy.offset() + (n * g.cout() + grp * g.coutG()) * pix, g.coutG(), g.kh(), g.kw(), g.oh(), g.ow(), gwt, n > 0, p);
                    if (n == g.n() - 1) TapConv.scatterTaps(gwt, g.coutG(), g.cinG(), g.kh() * g.kw(), gws, wBase);
                    continue;
                }
                if (shifted) {
                    ShiftedConv.weightGradient(pool, xs, x.offset() + (n * g.cin() + grp * g.cinG()) * g.h() * g.w(), g.cinG(), g.h(), g.w(),
                            gys, gy.offset() + (n * g.cout() + grp * g.coutG()) * pix, g.coutG(), g.kh(), g.kw(), g.oh(), g.ow(), gws, wBase, p);
                    continue;
                }
                // dW[coutG, kd] += dY[coutG, pix] * cols^T[pix, kd]
                PanelSource a = PanelSource.strided(gys, gy.offset() + (n * g.cout() + grp * g.coutG()) * pix, pix, 1);
                PanelSource b = columns(xs, x.offset() + (n * g.cin() + grp * g.cinG()) * g.h() * g.w(), g, p).transposed();
                Sgemm.gemm(pool, g.coutG(), kd, pix, a, b, gws, wBase, kd);
            }
        }
    }

    static void backwardInput(WorkerPool pool, View gy, View w, ConvParams p, View gx) {
        ConvShape g = ConvShape.of(gx, w, gy, p);
        float[] ws = f(w), gys = f(gy), gxs = f(gx);
        int pix = g.pix(), kd = g.kdim();
        java.util.Arrays.fill(gxs, gx.offset(), gx.offset() + gx.numel(), 0f);
        int tasks = g.n() * g.groups();
        boolean perImage = tasks >= pool.threads();
        // stride 1: dX is the stride-1 convolution of dY (padded by dil·(k−1) − pad) with the flipped, transposed kernel
        ConvParams tp = new ConvParams(1, 1, p.dilationH() * (g.kh() - 1) - p.padH(), p.dilationW() * (g.kw() - 1) - p.padW(),
                p.dilationH(), p.dilationW(), 1);
        boolean stride1 = !g.pointwise(p) && p.strideH() == 1 && p.strideW() == 1;
        boolean winograd = stride1 && g.groups() == 1 && WinogradConv.ENABLED && tp.padH() >= 0 && tp.padW() >= 0
                && WinogradConv.applies(g.coutG(), g.cinG(), g.kh(), g.kw(), g.h(), g.w(), tp);
        float[] u = winograd ? WinogradConv.transformWeights(flippedTransposed(ws, w.offset(), g), 0, g.cinG(), g.coutG()) : null;
        boolean tap = !winograd && stride1 && TapConv.preferred(g.n(), g.coutG(), g.oh(), g.ow(), g.h(), g.w(), g.kh(), g.kw(), tp);
        boolean shifted = !winograd && !tap && stride1 && tp.padH() >= 0 && tp.padW() >= 0 && ShiftedConv.applies(g.coutG(), g.oh(), g.ow(), g.w(), tp);
        float[] flipped = shifted ? flippedTransposed(ws, w.offset(), g) : null;
        float[] wb = tap ? PACKED.atLeast(g.cout() * kd) : null;
        if (tap) for (int grp = 0; grp < g.groups(); grp++) {
            TapConv.flippedTapsFirst(ws, w.offset() + grp * g.coutG() * kd, g.coutG(), g.cinG(), g.kh() * g.kw(), wb, grp * g.coutG() * kd);
        }
        pool.forRange(perImage ? tasks : 1, t0 -> {
            for (int t = perImage ? t0 : 0; t < (perImage ? t0 + 1 : tasks); t++) {
                int n = t / g.groups(), grp = t % g.groups();
                if (winograd) {
                    WinogradConv.forward(perImage ? null : pool, gys, gy.offset() + n * g.cout() * pix, g.coutG(), g.oh(), g.ow(), u, g.cinG(),
                            gxs, gx.offset() + n * g.cin() * g.h() * g.w(), g.h(), g.w(), tp);
                    continue;
                }
                if (tap) {
                    TapConv.forward(perImage ? null : pool, gys, gy.offset() + (n * g.cout() + grp * g.coutG()) * pix, g.coutG(), g.oh(), g.ow(),
                            wb, grp * g.coutG() * kd, null, g.cinG(), g.kh(), g.kw(), gxs, gx.offset() + (n * g.cin() + grp * g.cinG()) * g.h() * g.w(),
                            g.h(), g.w(), tp);
                    continue;
                }
                if (shifted) {
                    int gyBase = gy.offset() + (n * g.cout() + grp * g.coutG()) * pix;
                    int gxBase = gx.offset() + (n * g.cin() + grp * g.cinG()) * g.h() * g.w();
                    ShiftedConv.forward(perImage ? null : pool, gys, gyBase, g.coutG(), g.oh(), g.ow(),
                            PanelSource.strided(flipped, grp * g.coutG() * kd, g.coutG() * g.kh() * g.kw(), 1), g.cinG(), g.kh(), g.kw(), gxs, gxBase, g.h(), g.w(), tp);
                    continue;
                }
                PanelSource wt = PanelSource.strided(ws, w.offset() + grp * g.coutG() * kd, kd, 1).transposed();
                int gyBase = gy.offset() + (n * g.cout() + grp * g.coutG()) * pix;
                int gxBase = gx.offset() + (n * g.cin() + grp * g.cinG()) * g.h() * g.w();
                WorkerPool inner = perImage ? null : pool;
                if (g.pointwise(p)) {
                    gemm(inner, g.cinG(), pix, g.coutG(), wt, PanelSource.strided(gys, gyBase, pix, 1), gxs, gxBase, pix);
                    continue;
                }
                int block = Math.min(COL_BLOCK, pix);
                float[] cols = COLS.atLeast(kd * block);
                for (int c0 = 0; c0 < pix; c0 += block) {
                    int nc = Math.min(block, pix - c0);
                    java.util.Arrays.fill(cols, 0, kd * nc, 0f);
                    gemm(inner, kd, nc, g.coutG(), wt, PanelSource.strided(gys, gyBase + c0, pix, 1), cols, 0, nc);
                    col2im(cols, nc, c0, gxs, gxBase, g, p);
                }
            }
        });
    }

    /** Per group, w[co, ci, i, j] → [ci, co, kh−1−i, kw−1−j]: the kernel of the transposed (input-gradient) convolution. */
    private static float[] flippedTransposed(float[] ws, int wOff, ConvShape g) {
        int kh = g.kh(), kw = g.kw(), taps = kh * kw, cinG = g.cinG(), coutG = g.coutG();
        float[] out = PACKED.atLeast(g.cout() * cinG * taps);
        for (int grp = 0; grp < g.groups(); grp++) {
            int base = grp * coutG * cinG * taps;
            for (int ci = 0; ci < cinG; ci++) {   // written in order
                for (int co = 0; co < coutG; co++) {
                    for (int tap = 0; tap < taps; tap++) {
                        out[base + (ci * coutG + co) * taps + (taps - 1 - tap)] = ws[wOff + base + (co * cinG + ci) * taps + tap];
                    }
                }
            }
        }
        return out;
    }

    private static void gemm(WorkerPool pool, int m, int n, int k, PanelSource a, PanelSource b, float[] c, int co, int ldc) {
        if (pool == null) Sgemm.gemm(0, m, 0, n, k, a, b, c, co, ldc);
        else Sgemm.gemm(pool, m, n, k, a, b, c, co, ldc);
    }

    /** Adds column block [c0, c0+nc) of the (kd x pix) column matrix back into the image gradient. */
    private static void col2im(float[] cols, int nc, int c0, float[] gx, int base, ConvShape g, ConvParams p) {
        int khw = g.kh() * g.kw();
        for (int row = 0; row < g.kdim(); row++) {
            int ci = row / khw, tap = row % khw, i = tap / g.kw(), j = tap % g.kw();
            int plane = base + ci * g.h() * g.w();
            for (int c = 0; c < nc; c++) {
                int pixel = c0 + c, oy = pixel / g.ow(), ox = pixel % g.ow();
                int iy = oy * p.strideH() - p.padH() + i * p.dilationH();
                int ix = ox * p.strideW() - p.padW() + j * p.dilationW();
                if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) gx[plane + iy * g.w() + ix] += cols[row * nc + c];
            }
        }
    }
}
