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

    /** Tile rows per chunk: a chunk's transformed input and products (16 positions each) stay within about this many bytes, in L2. */
    private static final int CHUNK_BYTES = Integer.getInteger("maskseg.conv.winogradChunk", 1 << 19);

    /** How many tiles a chunk holds: whole rows of tw tiles, at least one. */
    static int chunkTiles(int cin, int cout, int tw) {
        long rowBytes = (long) tw * (cin + cout) * POSITIONS * Float.BYTES;
        return (int) Math.max(1, CHUNK_BYTES / rowBytes) * tw;
    }

    /** The GEMMs' taps over a chunk's transformed tiles: input block cb of a position starts cb·chunkTiles·16 floats in. */
    static int[] taps(int cin, int chunkTiles) {
        int[] taps = new int[cin / B];
        for (int cb = 0; cb < taps.length; cb++) taps[cb] = cb * chunkTiles * B;
        return taps;
    }

    /**
     * The layer on one image: x [cin/16, hp, wp, 16] from xOff, its zero border xBorder; y [cout/16, oh + 2·yBorder,
     * ow + 2·yBorder, 16]. Chunks of tile rows ({@link #chunkTiles}) go through all three steps at once, on the pool's threads.
     */
    static void forward(WorkerPool pool, float[] x, int xOff, int cin, int hp, int wp, int xBorder, int padH, int padW, float[] u,
                        int[] taps, float[] bias, int bOff, float[] res, int rOff, boolean relu, float[] y, int yOff, int cout, int oh,
                        int ow, int yBorder) {
        int th = Math.ceilDiv(oh, 2), tw = Math.ceilDiv(ow, 2), chunkTiles = chunkTiles(cin, cout, tw), rowsPerChunk = chunkTiles / tw;
        int chunks = Math.ceilDiv(th, rowsPerChunk);
        if (pool != null && chunks < pool.threads() && th >= pool.threads()) {   // every thread a chunk, however large
            rowsPerChunk = Math.ceilDiv(th, pool.threads());
            chunks = Math.ceilDiv(th, rowsPerChunk);
        }
        int rows = rowsPerChunk, stride = Math.max(chunkTiles, rows * tw);
        int[] chunkTaps = stride == chunkTiles ? taps : taps(cin, stride);
        int ohp = oh + 2 * yBorder, owp = ow + 2 * yBorder, pairs = cout / PAIR, cinBlocks = cin / B, coutBlocks = cout / B;
        float[] zeros = BlockedConv.zeros(cout);
        WorkerPool.eachUnit(pool, chunks, 16L * th * tw * cin * cout, 1 << 20, chunk -> {
            int ti0 = chunk * rows, ti1 = Math.min(th, ti0 + rows), tiles = (ti1 - ti0) * tw;
            float[] v = TRANSFORMED.atLeast(POSITIONS * cin * stride), m = PRODUCTS.atLeast(POSITIONS * cout * stride);
            for (int cb = 0; cb < cinBlocks; cb++) {
                for (int ti = ti0; ti < ti1; ti++) {
                    for (int tj = 0; tj < tw; tj++) {
                        inputTile(x, xOff + cb * hp * wp * B, hp, wp, 2 * ti + xBorder - padH, 2 * tj + xBorder - padW, v,
                                (cb * stride + (ti - ti0) * tw + tj) * B, cin * stride);
                    }
                }
            }
            for (int pos = 0; pos < POSITIONS; pos++) {
                for (int pair = 0; pair < pairs; pair++) {
                    int vBase = pos * cin * stride, wBase = pos * cout * cin + pair * cin * PAIR, mBase = (pos * coutBlocks + 2 * pair) * stride * B;
                    for (int t = 0; t < tiles; ) {
                        int mr = BlockedConvKernel.nextTile(tiles - t);
                        BlockedConvKernel.tile(mr, 1, v, vBase + t * B, chunkTaps, u, wBase, zeros, 0, null, 0, 0, false, m, mBase + t * B, stride * B);
                        t += mr;
                    }
                }
            }
            for (int ob = 0; ob < coutBlocks; ob++) {
                int plane = yOff + ob * ohp * owp * B;
                for (int r = 2 * ti0; r < Math.min(oh, 2 * ti1); r++) BlockedConv.zeroBorder(y, plane, r, oh, owp, yBorder);
                for (int ti = ti0; ti < ti1; ti++) {
                    for (int tj = 0; tj < tw; tj++) {
                        outputTile(m, (ob * stride + (ti - ti0) * tw + tj) * B, cout * stride, bias, bOff + ob * B, res,
                                res == null ? 0 : rOff + ob * oh * ow * B, ow, relu, y, plane, owp, yBorder, 2 * ti, 2 * tj, oh, ow);
                    }
                }
            }
        });
    }

    /** Bᵀ d B of the 4x4 input tile at (r0, c0) of one blocked plane (zeros past its edge), position pos to v[at + pos·posStride]. */
    private static void inputTile(float[] x, int plane, int hp, int wp, int r0, int c0, float[] v, int at, int posStride) {
        // straight-line on purpose: C2 keeps vector locals in registers but may box vectors kept in an array
        FloatVector d00 = load(x, plane, hp, wp, r0, c0), d01 = load(x, plane, hp, wp, r0, c0 + 1);
        FloatVector d02 = load(x, plane, hp, wp, r0, c0 + 2), d03 = load(x, plane, hp, wp, r0, c0 + 3);
        FloatVector d10 = load(x, plane, hp, wp, r0 + 1, c0), d11 = load(x, plane, hp, wp, r0 + 1, c0 + 1);
        FloatVector d12 = load(x, plane, hp, wp, r0 + 1, c0 + 2), d13 = load(x, plane, hp, wp, r0 + 1, c0 + 3);
        FloatVector d20 = load(x, plane, hp, wp, r0 + 2, c0), d21 = load(x, plane, hp, wp, r0 + 2, c0 + 1);
        FloatVector d22 = load(x, plane, hp, wp, r0 + 2, c0 + 2), d23 = load(x, plane, hp, wp, r0 + 2, c0 + 3);
        FloatVector d30 = load(x, plane, hp, wp, r0 + 3, c0), d31 = load(x, plane, hp, wp, r0 + 3, c0 + 1);
        FloatVector d32 = load(x, plane, hp, wp, r0 + 3, c0 + 2), d33 = load(x, plane, hp, wp, r0 + 3, c0 + 3);
        // Bᵀ d: rows d0 − d2, d1 + d2, d2 − d1, d1 − d3; then the same along each row, (Bᵀ d) B
        transformedRow(d00.sub(d20), d01.sub(d21), d02.sub(d22), d03.sub(d23), v, at, posStride);
        transformedRow(d10.add(d20), d11.add(d21), d12.add(d22), d13.add(d23), v, at + 4 * posStride, posStride);
        transformedRow(d20.sub(d10), d21.sub(d11), d22.sub(d12), d23.sub(d13), v, at + 8 * posStride, posStride);
        transformedRow(d10.sub(d30), d11.sub(d31), d12.sub(d32), d13.sub(d33), v, at + 12 * posStride, posStride);
    }

    private static FloatVector load(float[] x, int plane, int hp, int wp, int r, int c) {
        return r < hp && c < wp ? FloatVector.fromArray(S, x, plane + (r * wp + c) * B) : FloatVector.zero(S);
    }

    private static void transformedRow(FloatVector t0, FloatVector t1, FloatVector t2, FloatVector t3, float[] v, int at, int posStride) {
        t0.sub(t2).intoArray(v, at);
        t1.add(t2).intoArray(v, at + posStride);
        t2.sub(t1).intoArray(v, at + 2 * posStride);
        t1.sub(t3).intoArray(v, at + 3 * posStride);
    }

    /** Aᵀ m A of one tile and output block, plus bias and residual, ReLU'd, to the output pixels (oy, ox) .. (oy + 1, ox + 1) inside oh x ow. */
    private static void outputTile(float[] m, int at, int posStride, float[] bias, int bOff, float[] res, int rPlane, int rw, boolean relu,
                                   float[] y, int plane, int owp, int border, int oy, int ox, int oh, int ow) {
        FloatVector m00 = FloatVector.fromArray(S, m, at), m01 = FloatVector.fromArray(S, m, at + posStride);
        FloatVector m02 = FloatVector.fromArray(S, m, at + 2 * posStride), m03 = FloatVector.fromArray(S, m, at + 3 * posStride);
        FloatVector m10 = FloatVector.fromArray(S, m, at + 4 * posStride), m11 = FloatVector.fromArray(S, m, at + 5 * posStride);
        FloatVector m12 = FloatVector.fromArray(S, m, at + 6 * posStride), m13 = FloatVector.fromArray(S, m, at + 7 * posStride);
        FloatVector m20 = FloatVector.fromArray(S, m, at + 8 * posStride), m21 = FloatVector.fromArray(S, m, at + 9 * posStride);
        FloatVector m22 = FloatVector.fromArray(S, m, at + 10 * posStride), m23 = FloatVector.fromArray(S, m, at + 11 * posStride);
        FloatVector m30 = FloatVector.fromArray(S, m, at + 12 * posStride), m31 = FloatVector.fromArray(S, m, at + 13 * posStride);
        FloatVector m32 = FloatVector.fromArray(S, m, at + 14 * posStride), m33 = FloatVector.fromArray(S, m, at + 15 * posStride);
        // Aᵀ m: rows m0 + m1 + m2, m1 − m2 − m3; then the same along each row
        FloatVector s00 = m00.add(m10).add(m20), s01 = m01.add(m11).add(m21), s02 = m02.add(m12).add(m22), s03 = m03.add(m13).add(m23);
        FloatVector s10 = m10.sub(m20).sub(m30), s11 = m11.sub(m21).sub(m31), s12 = m12.sub(m22).sub(m32), s13 = m13.sub(m23).sub(m33);
        FloatVector b = FloatVector.fromArray(S, bias, bOff);
        store(s00.add(s01).add(s02).add(b), res, rPlane, rw, relu, y, plane, owp, border, oy, ox);
        if (ox + 1 < ow) store(s01.sub(s02).sub(s03).add(b), res, rPlane, rw, relu, y, plane, owp, border, oy, ox + 1);
        if (oy + 1 < oh) {
            store(s10.add(s11).add(s12).add(b), res, rPlane, rw, relu, y, plane, owp, border, oy + 1, ox);
            if (ox + 1 < ow) store(s11.sub(s12).sub(s13).add(b), res, rPlane, rw, relu, y, plane, owp, border, oy + 1, ox + 1);
        }
    }

    private static void store(FloatVector out, float[] res, int rPlane, int rw, boolean relu, float[] y, int plane, int owp, int border,
                              int oy, int ox) {
        if (res != null) out = out.add(FloatVector.fromArray(S, res, rPlane + (oy * rw + ox) * B));
        if (relu) out = out.max(0f);
        out.intoArray(y, plane + ((oy + border) * owp + ox + border) * B);
    }
}
