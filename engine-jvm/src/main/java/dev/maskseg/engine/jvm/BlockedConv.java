package dev.maskseg.engine.jvm;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.backend.View;

import java.util.List;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/**
 * Direct convolution of a frozen layer on channels-blocked activations ({@link dev.maskseg.engine.ops.ChannelBlocked}), as
 * oneDNN and ONNX Runtime run ResNets on AVX-512: for one output row and 32 output channels, tiles of up to 14 pixels
 * keep 2 x 14 accumulators in registers ({@link BlockedConvKernel}) while every (tap, input channel) step loads 32
 * weights and broadcasts each pixel's input value from where it lies. Nothing is packed per call: the input's 16
 * channels of a pixel sit side by side, its zero border stands in for the padding, and the weights are reordered once
 * per layer into [32-channel pair][tap][channel][32] and kept in {@link PackedWeights}. Only with 16-lane vectors.
 * Work units run output rows (or pieces of pixels) outermost and channel pairs innermost, so that each thread's share
 * of a layer is a band of the image in all channels: the band it reads again in the next layer ({@link WorkerPool}).
 */
final class BlockedConv {
    private static final int B = BlockedConvKernel.BLOCK, PAIR = 2 * B;
    /** Pixels per work unit of a plane taken as one run: four 14-pixel tiles. */
    private static final int PIECE = 4 * BlockedConvKernel.WIDEST;

    /** -Dmaskseg.conv.blocked=false: frozen models stay in NCHW. */
    static final boolean ENABLED = VectorWidth.SPECIES.length() == B && !"false".equals(System.getProperty("maskseg.conv.blocked"));

    private static volatile float[] zeros = new float[0];
    private static final ScratchBuffer PADDED = new ScratchBuffer();

    private BlockedConv() {}

    static boolean takes(DType dtype, int cin, int cout, ConvParams p, int xBorder) {
        return ENABLED && dtype == DType.FLOAT32 && p.groups() == 1 && cin % B == 0 && cout % PAIR == 0
                && (p.strideW() == 1 || p.strideW() == 2) && p.padH() <= xBorder && p.padW() <= xBorder;
    }

    /** w [cout, cin, kh, kw] as [pair][tap = (cin block, i, j)][c][32]: the order the tiles read it in. */
    static float[] packWeights(float[] w, int wOff, int cout, int cin, int kh, int kw) {
        int taps = cin / B * kh * kw;
        float[] out = new float[cout * cin * kh * kw];
        for (int oc = 0; oc < cout; oc++) {
            int pair = oc / PAIR, lane = oc % PAIR;
            for (int ic = 0; ic < cin; ic++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int tap = (ic / B * kh + i) * kw + j;
                        out[((pair * taps + tap) * B + ic % B) * PAIR + lane] = w[wOff + ((oc * cin + ic) * kh + i) * kw + j];
                    }
                }
            }
        }
        return out;
    }

    /** Where each tap (cin block, i, j) reads, from an output pixel's first input pixel, in input planes hp x wp. */
    static int[] taps(int cin, int kh, int kw, ConvParams p, int hp, int wp) {
        int[] taps = new int[cin / B * kh * kw];
        for (int cb = 0; cb < cin / B; cb++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) taps[(cb * kh + i) * kw + j] = ((cb * hp + i * p.dilationH()) * wp + j * p.dilationW()) * B;
            }
        }
        return taps;
    }

    /** See {@link dev.maskseg.engine.backend.Backend#conv2dInferenceBlocked}; packed null: the weights reordered on this call. */
    static void forward(WorkerPool pool, View x, int xBorder, View w, View bias, ConvParams p, View residual, boolean relu,
                        PackedWeights packed, View out, int outBorder) {
        int n = x.shape()[0], cinBlocks = x.shape()[1], hp = x.shape()[2], wp = x.shape()[3];
        int cout = w.shape()[0], cin = w.shape()[1], kh = w.shape()[2], kw = w.shape()[3];
        int ohp = out.shape()[2], owp = out.shape()[3], oh = ohp - 2 * outBorder, ow = owp - 2 * outBorder;
        float[] xs = f(x), ws = f(w), ys = f(out), rs = residual == null ? null : f(residual);
        float[] b = bias == null ? zeros(cout) : f(bias);
        int bOff = bias == null ? 0 : bias.offset(), rOff = residual == null ? 0 : residual.offset();
        int inPlane = hp * wp * B, outPlane = ohp * owp * B, resPlane = oh * ow * B;
        if (BlockedWinograd.takes(kh, kw, p, oh, ow)) {
            float[] u = packed == null ? BlockedWinograd.packWeights(ws, w.offset(), cout, cin)
                    : packed.get(w.storage(), "blocked winograd", k -> BlockedWinograd.packWeights(ws, w.offset(), cout, cin));
            int chunks = BlockedWinograd.chunks(cin, cout, oh, ow, pool == null ? 1 : pool.threads());
            int stride = BlockedWinograd.chunkStride(Math.ceilDiv(oh, 2) * Math.ceilDiv(ow, 2), chunks);
            int[] taps = packed == null ? BlockedWinograd.taps(cin, stride)
                    : packed.get(w.storage(), List.of("blocked winograd taps", stride), k -> BlockedWinograd.taps(cin, stride));
            for (int img = 0; img < n; img++) {
                BlockedWinograd.forward(pool, xs, x.offset() + img * cinBlocks * inPlane, cin, hp, wp, xBorder, p.padH(), p.padW(), u, chunks, taps,
                        b, bOff, rs, rOff + img * cout * oh * ow, relu, ys, out.offset() + img * (cout / B) * outPlane, cout, oh, ow, outBorder);
            }
            return;
        }
        float[] wt = packed == null ? packWeights(ws, w.offset(), cout, cin, kh, kw)
                : packed.get(w.storage(), "blocked", k -> packWeights(ws, w.offset(), cout, cin, kh, kw));
        int[] taps = packed == null ? taps(cin, kh, kw, p, hp, wp)
                : packed.get(w.storage(), List.of("blocked taps", hp, wp), k -> taps(cin, kh, kw, p, hp, wp));
        int pairs = cout / PAIR, pairWeights = taps.length * B * PAIR, sh = p.strideH(), sw = p.strideW();
        long work = (long) n * cout * oh * ow * cin * kh * kw;
        if (kh == 1 && kw == 1 && sh == 1 && sw == 1 && xBorder == 0 && outBorder == 0) {
            // no border and no stride: each plane is one run of pixels, cut into even pieces of at most PIECE pixels, more
            // where that gives every thread as many pixels (14x14: 4 of 49, not 56, 56, 56 and 28); with fewer pieces
            // than threads the threads split the channel pairs instead (7x7, whose weights are the larger part)
            int pix = oh * ow, threads = pool == null ? 1 : pool.threads(), perImage = Math.ceilDiv(pix, PIECE);
            while ((long) n * perImage >= threads && (long) n * perImage % threads != 0 && perImage < pix) perImage++;
            int pieces = perImage, units = pairs * pieces;
            WorkerPool.eachUnit(pool, n * units, work, 1 << 20, unit -> {
                int img = unit / units, pair = unit % pairs, piece = unit % units / pairs;
                int first = (int) ((long) pix * piece / pieces), last = (int) ((long) pix * (piece + 1) / pieces);
                int yBlock = out.offset() + (img * (cout / B) + 2 * pair) * outPlane;
                run(last - first, 1, xs, x.offset() + img * cinBlocks * inPlane + first * B, taps, wt, pair * pairWeights,
                        b, bOff + pair * PAIR, rs, rOff + (img * (cout / B) + 2 * pair) * resPlane + first * B, resPlane, relu, ys,
                        yBlock + first * B, outPlane);
            });
            return;
        }
        int rowUnits = pairs * oh;
        WorkerPool.eachUnit(pool, n * rowUnits, work, 1 << 20, unit -> {
            int img = unit / rowUnits, pair = unit % pairs, r = unit % rowUnits / pairs;
            int xRow = x.offset() + img * cinBlocks * inPlane + ((r * sh + xBorder - p.padH()) * wp + xBorder - p.padW()) * B;
            int yPlane = out.offset() + (img * (cout / B) + 2 * pair) * outPlane;
            run(ow, sw, xs, xRow, taps, wt, pair * pairWeights, b, bOff + pair * PAIR, rs,
                    rOff + (img * (cout / B) + 2 * pair) * resPlane + r * ow * B, resPlane, relu, ys,
                    yPlane + ((r + outBorder) * owp + outBorder) * B, outPlane);
            for (int blk = 0; blk < 2; blk++) zeroBorder(ys, yPlane + blk * outPlane, r, oh, owp, outBorder);
        });
    }

    static boolean takesPlanes(DType dtype, int cout, ConvParams p) {
        return ENABLED && dtype == DType.FLOAT32 && p.groups() == 1 && cout % PAIR == 0 && (p.strideW() == 1 || p.strideW() == 2);
    }

    /** w [cout, kdim] as [pair][tap = (ci, i, j)][32]. */
    static float[] packPlaneWeights(float[] w, int wOff, int cout, int kdim) {
        float[] out = new float[cout * kdim];
        for (int oc = 0; oc < cout; oc++) {
            for (int k = 0; k < kdim; k++) out[((oc / PAIR) * kdim + k) * PAIR + oc % PAIR] = w[wOff + oc * kdim + k];
        }
        return out;
    }

    /** Where each tap (ci, i, j) reads in zero-padded NCHW planes hp x wp, from an output pixel's first input value. */
    static int[] planeTaps(int cin, int kh, int kw, ConvParams p, int hp, int wp) {
        int[] taps = new int[cin * kh * kw];
        for (int ci = 0; ci < cin; ci++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) taps[(ci * kh + i) * kw + j] = (ci * hp + i * p.dilationH()) * wp + j * p.dilationW();
            }
        }
        return taps;
    }

    /** See {@link dev.maskseg.engine.backend.Backend#conv2dInferenceToBlocked}: the input zero-padded once per image, then the plane tiles. */
    static void forwardFromPlanes(WorkerPool pool, View x, View w, View bias, ConvParams p, boolean relu, PackedWeights packed, View out,
                                  int outBorder) {
        int n = x.shape()[0], cin = x.shape()[1], h = x.shape()[2], wd = x.shape()[3];
        int cout = w.shape()[0], kh = w.shape()[2], kw = w.shape()[3], kdim = cin * kh * kw;
        int ohp = out.shape()[2], owp = out.shape()[3], oh = ohp - 2 * outBorder, ow = owp - 2 * outBorder;
        int hp = h + 2 * p.padH(), wp = wd + 2 * p.padW(), outPlane = ohp * owp * B;
        float[] xs = f(x), ws = f(w), ys = f(out), b = bias == null ? zeros(cout) : f(bias);
        int bOff = bias == null ? 0 : bias.offset();
        float[] wt = packed == null ? packPlaneWeights(ws, w.offset(), cout, kdim)
                : packed.get(w.storage(), "blocked of planes", k -> packPlaneWeights(ws, w.offset(), cout, kdim));
        int[] taps = packed == null ? planeTaps(cin, kh, kw, p, hp, wp)
                : packed.get(w.storage(), List.of("blocked plane taps", hp, wp), k -> planeTaps(cin, kh, kw, p, hp, wp));
        float[] padded = PADDED.atLeast(cin * hp * wp);
        int pairs = cout / PAIR, sh = p.strideH(), sw = p.strideW();
        for (int img = 0; img < n; img++) {
            int xImage = x.offset() + img * cin * h * wd, yImage = out.offset() + img * (cout / B) * outPlane;
            WorkerPool.eachUnit(pool, cin * hp, (long) cin * hp * wp, 1 << 16, row -> {
                int ci = row / hp, y = row % hp - p.padH(), at = row * wp;
                if (y < 0 || y >= h) {
                    java.util.Arrays.fill(padded, at, at + wp, 0f);
                    return;
                }
                java.util.Arrays.fill(padded, at, at + p.padW(), 0f);
                System.arraycopy(xs, xImage + (ci * h + y) * wd, padded, at + p.padW(), wd);
                java.util.Arrays.fill(padded, at + p.padW() + wd, at + wp, 0f);
            });
            WorkerPool.eachUnit(pool, pairs * oh, (long) cout * oh * ow * kdim, 1 << 20, unit -> {
                int pair = unit / oh, r = unit % oh, yPlane = yImage + 2 * pair * outPlane;
                int xo = r * sh * wp, yo = yPlane + ((r + outBorder) * owp + outBorder) * B;
                for (int o = 0; o < ow; ) {
                    int mr = BlockedConvKernel.nextTile(ow - o);
                    BlockedConvKernel.tileOfPlanes(mr, sw, padded, xo + o * sw, taps, wt, pair * kdim * PAIR, b, bOff + pair * PAIR, relu, ys,
                            yo + o * B, outPlane);
                    o += mr;
                }
                for (int blk = 0; blk < 2; blk++) zeroBorder(ys, yPlane + blk * outPlane, r, oh, owp, outBorder);
            });
        }
    }

    /** Output pixels (and input pixels stride apart) side by side in one row of the blocks, widest tiles first. */
    private static void run(int pixels, int stride, float[] x, int xo, int[] taps, float[] w, int wo, float[] bias, int bo, float[] res,
                            int ro, int rBlock, boolean relu, float[] y, int yo, int yBlock) {
        for (int o = 0; o < pixels; ) {
            int mr = BlockedConvKernel.nextTile(pixels - o);
            BlockedConvKernel.tile(mr, stride, x, xo + o * stride * B, taps, w, wo, bias, bo, res, ro + o * B, rBlock, relu, y, yo + o * B, yBlock);
            o += mr;
        }
    }

    /**
     * The zero border of output row r of one plane (oh rows, owp pixels wide with the border): its side pixels, and the
     * rows above or below it at the edges. Every writer of blocked outputs calls it per row, as the buffers come dirty.
     */
    static void zeroBorder(float[] y, int plane, int r, int oh, int owp, int border) {
        if (border == 0) return;
        int row = plane + (r + border) * owp * B;
        java.util.Arrays.fill(y, row, row + border * B, 0f);
        java.util.Arrays.fill(y, row + (owp - border) * B, row + owp * B, 0f);
        if (r == 0) java.util.Arrays.fill(y, plane, plane + border * owp * B, 0f);
        if (r == oh - 1) java.util.Arrays.fill(y, plane + (oh + border) * owp * B, plane + (oh + 2 * border) * owp * B, 0f);
    }

    /** Read-only zeros standing in for a missing bias. */
    static float[] zeros(int n) {
        float[] z = zeros;
        if (z.length < n) zeros = z = new float[n];
        return z;
    }
}
