package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(2x2, 3x3) on channels-blocked activations for the stride-1 3x3 layers of a frozen model: 16 multiplies
 * per 2x2 output tile and channel pair instead of 36. The tiles' inputs are transformed 16 channels at a time
 * (Bᵀ d B, one vector per tile position), the 16 products are GEMMs over the tiles run by {@link BlockedConvKernel}
 * as 1x1 convolutions of the transformed weights (G g Gᵀ, made once per layer), and the output transform (Aᵀ m A)
 * adds the bias and residual and applies the ReLU. Unlike {@link WinogradConv}, whose lanes run along a row of tiles,
 * the lanes are channels, so 14x14 and 7x7 planes fill them too.
 */
final class BlockedWinograd {
    private static final int B = BlockedConvKernel.BLOCK, PAIR = 2 * B, POSITIONS = 16;
    private static final VectorSpecies<Float> S = BlockedConvKernel.S;
    private static final ScratchBuffer TRANSFORMED = new ScratchBuffer(), PRODUCTS = new ScratchBuffer();
    /** The passes' arrays, the calling thread's: every worker writes into them. */
    private static final ScratchBuffer WHOLE_TRANSFORMED = new ScratchBuffer(), WHOLE_PRODUCTS = new ScratchBuffer();
    /** An edge tile's input, zero-padded to 4x4 pixels. */
    private static final ScratchBuffer PATCH = new ScratchBuffer();

    private BlockedWinograd() {}

    /**
     * Stride-1 undilated 3x3 layers with at least 32 tiles of output: each transformed weight is used once per tile, and
     * on fewer (a 7x7 plane has 16) reading the 16/9 larger transformed weights costs more than the multiplies saved.
     */
    static boolean takes(int kh, int kw, ConvParams p, int oh, int ow) {
        return WinogradConv.ENABLED && kh == 3 && kw == 3 && p.strideH() == 1 && p.strideW() == 1 && p.dilationH() == 1
                && p.dilationW() == 1 && Math.ceilDiv(oh, 2) * Math.ceilDiv(ow, 2) >= 32;
    }

    /** G g Gᵀ of w [cout, cin, 3, 3], each of the 16 positions packed as a 1x1 layer's blocked weights ({@link BlockedConv#packWeights}). */
    static float[] packWeights(float[] w, int wOff, int cout, int cin) {
        int per = cout * cin;
        float[] byPosition = new float[POSITIONS * per], u = new float[POSITIONS];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                WinogradConv.transformKernel(w, wOff + (co * cin + ci) * 9, u);
                for (int pos = 0; pos < POSITIONS; pos++) byPosition[pos * per + co * cin + ci] = u[pos];
            }
        }
        float[] out = new float[POSITIONS * per];
        for (int pos = 0; pos < POSITIONS; pos++) System.arraycopy(BlockedConv.packWeights(byPosition, pos * per, cout, cin, 1, 1), 0, out, pos * per, per);
        return out;
    }

    /** A chunk's transformed input and products (16 positions each) stay within about this many bytes, in L2. */
    private static final int CHUNK_BYTES = Integer.getInteger("maskseg.conv.winogradChunk", 1 << 19);

    /**
     * Whether the layer runs in three passes over all its tiles ({@link #forwardInPasses}) rather than in chunks: when its
     * transformed weights outgrow a chunk's budget and also all its transformed tiles and products together (a ResNet's
     * layer3: 4 MB of weights, 1.6 MB of tiles and products), so that streaming the weights once per chunk would cost more
     * than sharing the tiles between passes. The passes read each weight once and split the GEMMs by position and pair.
     * Measured at 14x14, 256 channels: 2 threads 1.98x one (1.81x in chunks); at 28x28, 128 channels, chunks were faster.
     */
    static boolean inPasses(int cin, int cout, int tiles) {
        return (long) POSITIONS * cin * cout * Float.BYTES > CHUNK_BYTES && (long) cin * cout > (long) tiles * (cin + cout);
    }

    /**
     * How many chunks the tiles of an oh x ow output are cut into (one when {@link #inPasses}): as few as keep each within {@link #CHUNK_BYTES} (each
     * chunk reads all the transformed weights once), rounded up to a multiple of the thread count so that every thread
     * gets the same number of tiles (14x14 outputs have 7 rows of tiles: cut by whole rows, one thread did 4, the other 3).
     */
    static int chunks(int cin, int cout, int oh, int ow, int threads) {
        int tiles = Math.ceilDiv(oh, 2) * Math.ceilDiv(ow, 2);
        if (inPasses(cin, cout, tiles)) return 1;
        long tileBytes = (long) (cin + cout) * POSITIONS * Float.BYTES;
        int chunks = (int) Math.ceilDiv(tiles, Math.max(1, CHUNK_BYTES / tileBytes));
        return Math.min(tiles, Math.ceilDiv(chunks, threads) * threads);
    }

    /** The most tiles a chunk holds: the stride of the scratch arrays' blocks. */
    static int chunkStride(int tiles, int chunks) { return Math.ceilDiv(tiles, chunks); }

    /** The GEMMs' taps over a chunk's transformed tiles: input block cb of a position starts cb·stride·16 floats in. */
    static int[] taps(int cin, int stride) {
        int[] taps = new int[cin / B];
        for (int cb = 0; cb < taps.length; cb++) taps[cb] = cb * stride * B;
        return taps;
    }

    /**
     * The layer on one image: x [cin/16, hp, wp, 16] from xOff, its zero border xBorder; y [cout/16, oh + 2·yBorder,
     * ow + 2·yBorder, 16]. The tiles, in row-major order, are cut into {@code chunks} even runs ({@link #chunks}), each
     * going through all three steps at once on one of the pool's threads; taps are {@link #taps} at the chunks' stride.
     */
    static void forward(WorkerPool pool, float[] x, int xOff, int cin, int hp, int wp, int xBorder, int padH, int padW, float[] u,
                        int chunks, int[] taps, float[] bias, int bOff, float[] res, int rOff, boolean relu, float[] y, int yOff, int cout,
                        int oh, int ow, int yBorder) {
        if (inPasses(cin, cout, Math.ceilDiv(oh, 2) * Math.ceilDiv(ow, 2))) {
            forwardInPasses(pool, x, xOff, cin, hp, wp, xBorder, padH, padW, u, taps, bias, bOff, res, rOff, relu, y, yOff, cout, oh, ow, yBorder);
            return;
        }
        int th = Math.ceilDiv(oh, 2), tw = Math.ceilDiv(ow, 2), allTiles = th * tw, stride = chunkStride(allTiles, chunks);
        int ohp = oh + 2 * yBorder, owp = ow + 2 * yBorder, pairs = cout / PAIR, cinBlocks = cin / B, coutBlocks = cout / B;
        float[] zeros = BlockedConv.zeros(cout);
        WorkerPool.eachUnit(pool, chunks, 16L * allTiles * cin * cout, 1 << 20, chunk -> {
            int k0 = (int) ((long) allTiles * chunk / chunks), k1 = (int) ((long) allTiles * (chunk + 1) / chunks), tiles = k1 - k0;
            float[] v = TRANSFORMED.atLeast(POSITIONS * cin * stride), m = PRODUCTS.atLeast(POSITIONS * cout * stride);
            for (int cb = 0; cb < cinBlocks; cb++) {
                for (int k = k0; k < k1; k++) {
                    int ti = k / tw, tj = k % tw;
                    inputTile(x, xOff + cb * hp * wp * B, hp, wp, 2 * ti + xBorder - padH, 2 * tj + xBorder - padW, v,
                            (cb * stride + k - k0) * B, cin * stride);
                }
            }
            for (int pos = 0; pos < POSITIONS; pos++) {
                for (int pair = 0; pair < pairs; pair++) product(v, u, m, taps, zeros, pos, pair, cin, cout, tiles, stride);
            }
            int r0 = 2 * (k0 / tw), r1 = Math.min(oh, 2 * ((k1 - 1) / tw + 1));
            for (int ob = 0; ob < coutBlocks; ob++) {
                int plane = yOff + ob * ohp * owp * B;
                // rows two chunks share get their (zero) border from both
                for (int r = r0; r < r1; r++) BlockedConv.zeroBorder(y, plane, r, oh, owp, yBorder);
                for (int k = k0; k < k1; k++) {
                    outputTile(m, (ob * stride + k - k0) * B, cout * stride, bias, bOff + ob * B, res,
                            res == null ? 0 : rOff + ob * oh * ow * B, ow, relu, y, plane, owp, yBorder, 2 * (k / tw), 2 * (k % tw), oh, ow);
                }
            }
        });
    }

    /**
     * The three steps each over all tiles, each split over the pool's threads: the input transform by (tile row, input
     * block); the 16 GEMMs by (position, channel pair), so each transformed weight is read once; the output transform by
     * (tile row, output block). The transformed tiles and products live in the calling thread's scratch arrays.
     */
    private static void forwardInPasses(WorkerPool pool, float[] x, int xOff, int cin, int hp, int wp, int xBorder, int padH, int padW,
                                        float[] u, int[] taps, float[] bias, int bOff, float[] res, int rOff, boolean relu, float[] y,
                                        int yOff, int cout, int oh, int ow, int yBorder) {
        int th = Math.ceilDiv(oh, 2), tw = Math.ceilDiv(ow, 2), tiles = th * tw;
        int ohp = oh + 2 * yBorder, owp = ow + 2 * yBorder, pairs = cout / PAIR, cinBlocks = cin / B, coutBlocks = cout / B;
        float[] v = WHOLE_TRANSFORMED.atLeast(POSITIONS * cin * tiles), m = WHOLE_PRODUCTS.atLeast(POSITIONS * cout * tiles);
        float[] zeros = BlockedConv.zeros(cout);
        WorkerPool.eachUnit(pool, th * cinBlocks, (long) POSITIONS * tiles * cin, 1 << 16, unit -> {
            int ti = unit / cinBlocks, cb = unit % cinBlocks;
            for (int tj = 0; tj < tw; tj++) {
                inputTile(x, xOff + cb * hp * wp * B, hp, wp, 2 * ti + xBorder - padH, 2 * tj + xBorder - padW, v,
                        (cb * tiles + ti * tw + tj) * B, cin * tiles);
            }
        });
        WorkerPool.eachUnit(pool, POSITIONS * pairs, (long) POSITIONS * tiles * cin * cout, 1 << 20, unit -> {
            product(v, u, m, taps, zeros, unit / pairs, unit % pairs, cin, cout, tiles, tiles);
        });
        WorkerPool.eachUnit(pool, th * coutBlocks, (long) POSITIONS * tiles * cout, 1 << 16, unit -> {
            int ti = unit / coutBlocks, ob = unit % coutBlocks, plane = yOff + ob * ohp * owp * B;
            for (int r = 2 * ti; r < Math.min(oh, 2 * ti + 2); r++) BlockedConv.zeroBorder(y, plane, r, oh, owp, yBorder);
            for (int tj = 0; tj < tw; tj++) {
                outputTile(m, (ob * tiles + ti * tw + tj) * B, cout * tiles, bias, bOff + ob * B, res,
                        res == null ? 0 : rOff + ob * oh * ow * B, ow, relu, y, plane, owp, yBorder, 2 * ti, 2 * tj, oh, ow);
            }
        });
    }

    /*
     * The transforms below take and return no vectors: each method loads, combines and stores its own. C2 stops inlining a
     * method once its graph is large (NodeCountInliningCutoff), and a call it did not inline that passes or returns a
     * vector boxes it on the heap: the last helper calls of one 16-vector transform were left as calls, which allocated
     * about 9 MB per ResNet-50 forward and stalled on the allocations.
     */

    /**
     * One position's GEMM for one channel pair over the first tiles of v (stride tiles per block): the products m of the
     * transformed tiles and the transformed weights u, on the direct tiles as a 1x1 layer.
     */
    private static void product(float[] v, float[] u, float[] m, int[] taps, float[] zeros, int pos, int pair, int cin, int cout,
                                int tiles, int stride) {
        int vBase = pos * cin * stride, wBase = pos * cout * cin + pair * cin * PAIR, mBase = (pos * (cout / B) + 2 * pair) * stride * B;
        for (int t = 0; t < tiles; ) {
            int mr = BlockedConvKernel.nextTile(tiles - t);
            BlockedConvKernel.tile(mr, 1, v, vBase + t * B, taps, u, wBase, zeros, 0, null, 0, 0, false, m, mBase + t * B, stride * B);
            t += mr;
        }
    }

    /** Bᵀ d B of the 4x4 input tile at (r0, c0) of one blocked plane (zeros past its edge), position pos to v[at + pos·posStride]. */
    private static void inputTile(float[] x, int plane, int hp, int wp, int r0, int c0, float[] v, int at, int posStride) {
        if (r0 + 4 <= hp && c0 + 4 <= wp) {
            int o = plane + (r0 * wp + c0) * B;
            inputRows01(x, o, wp * B, v, at, posStride);
            inputRows23(x, o, wp * B, v, at, posStride);
            return;
        }
        float[] patch = PATCH.atLeast(POSITIONS * B);   // a tile past the bottom or right edge: copied with zeros first
        java.util.Arrays.fill(patch, 0, POSITIONS * B, 0f);
        for (int r = 0; r < 4 && r0 + r < hp; r++) {
            for (int c = 0; c < 4 && c0 + c < wp; c++) System.arraycopy(x, plane + ((r0 + r) * wp + c0 + c) * B, patch, (r * 4 + c) * B, B);
        }
        inputRows01(patch, 0, 4 * B, v, at, posStride);
        inputRows23(patch, 0, 4 * B, v, at, posStride);
    }

    /** Rows 0 and 1 of Bᵀ d (d0 − d2, d1 + d2), each then times B: positions 0-7. Input rows rowStride floats apart from o. */
    private static void inputRows01(float[] x, int o, int rowStride, float[] v, int at, int p) {
        int o1 = o + rowStride, o2 = o1 + rowStride;
        FloatVector d10 = FloatVector.fromArray(S, x, o1), d11 = FloatVector.fromArray(S, x, o1 + B);
        FloatVector d12 = FloatVector.fromArray(S, x, o1 + 2 * B), d13 = FloatVector.fromArray(S, x, o1 + 3 * B);
        FloatVector d20 = FloatVector.fromArray(S, x, o2), d21 = FloatVector.fromArray(S, x, o2 + B);
        FloatVector d22 = FloatVector.fromArray(S, x, o2 + 2 * B), d23 = FloatVector.fromArray(S, x, o2 + 3 * B);
        FloatVector t0 = FloatVector.fromArray(S, x, o).sub(d20), t1 = FloatVector.fromArray(S, x, o + B).sub(d21);
        FloatVector t2 = FloatVector.fromArray(S, x, o + 2 * B).sub(d22), t3 = FloatVector.fromArray(S, x, o + 3 * B).sub(d23);
        t0.sub(t2).intoArray(v, at);
        t1.add(t2).intoArray(v, at + p);
        t2.sub(t1).intoArray(v, at + 2 * p);
        t1.sub(t3).intoArray(v, at + 3 * p);
        FloatVector u0 = d10.add(d20), u1 = d11.add(d21), u2 = d12.add(d22), u3 = d13.add(d23);
        u0.sub(u2).intoArray(v, at + 4 * p);
        u1.add(u2).intoArray(v, at + 5 * p);
        u2.sub(u1).intoArray(v, at + 6 * p);
        u1.sub(u3).intoArray(v, at + 7 * p);
    }

    /** Rows 2 and 3 of Bᵀ d (d2 − d1, d1 − d3), each then times B: positions 8-15. */
    private static void inputRows23(float[] x, int o, int rowStride, float[] v, int at, int p) {
        int o1 = o + rowStride, o2 = o1 + rowStride, o3 = o2 + rowStride;
        FloatVector d10 = FloatVector.fromArray(S, x, o1), d11 = FloatVector.fromArray(S, x, o1 + B);
        FloatVector d12 = FloatVector.fromArray(S, x, o1 + 2 * B), d13 = FloatVector.fromArray(S, x, o1 + 3 * B);
        FloatVector t0 = FloatVector.fromArray(S, x, o2).sub(d10), t1 = FloatVector.fromArray(S, x, o2 + B).sub(d11);
        FloatVector t2 = FloatVector.fromArray(S, x, o2 + 2 * B).sub(d12), t3 = FloatVector.fromArray(S, x, o2 + 3 * B).sub(d13);
        t0.sub(t2).intoArray(v, at + 8 * p);
        t1.add(t2).intoArray(v, at + 9 * p);
        t2.sub(t1).intoArray(v, at + 10 * p);
        t1.sub(t3).intoArray(v, at + 11 * p);
        FloatVector u0 = d10.sub(FloatVector.fromArray(S, x, o3)), u1 = d11.sub(FloatVector.fromArray(S, x, o3 + B));
        FloatVector u2 = d12.sub(FloatVector.fromArray(S, x, o3 + 2 * B)), u3 = d13.sub(FloatVector.fromArray(S, x, o3 + 3 * B));
        u0.sub(u2).intoArray(v, at + 12 * p);
        u1.add(u2).intoArray(v, at + 13 * p);
        u2.sub(u1).intoArray(v, at + 14 * p);
        u1.sub(u3).intoArray(v, at + 15 * p);
    }

    /** Aᵀ m A of one tile and output block, plus bias and residual, ReLU'd, to the output pixels (oy, ox) .. (oy + 1, ox + 1) inside oh x ow. */
    private static void outputTile(float[] m, int at, int posStride, float[] bias, int bOff, float[] res, int rPlane, int rw, boolean relu,
                                   float[] y, int plane, int owp, int border, int oy, int ox, int oh, int ow) {
        outputRow(m, at, posStride, false, bias, bOff, res, rPlane, rw, relu, y, plane, owp, border, oy, ox, ow);
        if (oy + 1 < oh) outputRow(m, at, posStride, true, bias, bOff, res, rPlane, rw, relu, y, plane, owp, border, oy + 1, ox, ow);
    }

    /** One output row: Aᵀ m's row 0 (m0 + m1 + m2) or row 1 (m1 − m2 − m3), then the same along the row. */
    private static void outputRow(float[] m, int at, int p, boolean second, float[] bias, int bOff, float[] res, int rPlane, int rw,
                                  boolean relu, float[] y, int plane, int owp, int border, int oy, int ox, int ow) {
        FloatVector s0, s1, s2, s3;
        if (second) {
            s0 = FloatVector.fromArray(S, m, at + 4 * p).sub(FloatVector.fromArray(S, m, at + 8 * p)).sub(FloatVector.fromArray(S, m, at + 12 * p));
            s1 = FloatVector.fromArray(S, m, at + 5 * p).sub(FloatVector.fromArray(S, m, at + 9 * p)).sub(FloatVector.fromArray(S, m, at + 13 * p));
            s2 = FloatVector.fromArray(S, m, at + 6 * p).sub(FloatVector.fromArray(S, m, at + 10 * p)).sub(FloatVector.fromArray(S, m, at + 14 * p));
            s3 = FloatVector.fromArray(S, m, at + 7 * p).sub(FloatVector.fromArray(S, m, at + 11 * p)).sub(FloatVector.fromArray(S, m, at + 15 * p));
        } else {
            s0 = FloatVector.fromArray(S, m, at).add(FloatVector.fromArray(S, m, at + 4 * p)).add(FloatVector.fromArray(S, m, at + 8 * p));
            s1 = FloatVector.fromArray(S, m, at + p).add(FloatVector.fromArray(S, m, at + 5 * p)).add(FloatVector.fromArray(S, m, at + 9 * p));
            s2 = FloatVector.fromArray(S, m, at + 2 * p).add(FloatVector.fromArray(S, m, at + 6 * p)).add(FloatVector.fromArray(S, m, at + 10 * p));
            s3 = FloatVector.fromArray(S, m, at + 3 * p).add(FloatVector.fromArray(S, m, at + 7 * p)).add(FloatVector.fromArray(S, m, at + 11 * p));
        }
        FloatVector b = FloatVector.fromArray(S, bias, bOff);
        FloatVector left = s0.add(s1).add(s2).add(b), right = s1.sub(s2).sub(s3).add(b);
        int r = rPlane + (oy * rw + ox) * B, out = plane + ((oy + border) * owp + ox + border) * B;
        boolean two = ox + 1 < ow;
        if (res != null) {
            left = left.add(FloatVector.fromArray(S, res, r));
            if (two) right = right.add(FloatVector.fromArray(S, res, r + B));
        }
        if (relu) {
            left = left.max(0f);
            right = right.max(0f);
        }
        left.intoArray(y, out);
        if (two) right.intoArray(y, out + B);
    }
}
