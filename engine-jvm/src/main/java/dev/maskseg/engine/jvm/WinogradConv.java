package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stride-1, undilated 3x3 conv2d forward by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms
 * for Convolutional Neural Networks", 2016): every 2x2 output tile is A^T [Σ_ci (G g G^T) ⊙ (B^T d B)] A for the 4x4
 * input patch d under it, 16 multiplications per tile and channel pair instead of 36. The 16 element-wise products,
 * summed over input channels, are 16 GEMMs [coutG x cinG] x [cinG x tiles] that run on {@link MicroKernel}: the weight
 * transform is packed as its A operand once per call, the input transform writes its B operand straight in packed
 * form, so nothing else is copied.
 * <p>
 * The tiles of one tile row are vector lanes: a row of patches starts every second input column, so the transforms
 * read 32 consecutive columns and split them into even and odd columns with two-vector shuffles, and the output
 * transform interleaves its two output columns back. A tile row is padded to a multiple of the vector width, which
 * is why {@link #applies} asks for a width that wastes at most a quarter of the lanes. The transforms' roundings make
 * the result differ from the direct sum in the last few bits (relative error about 1e-6 at these widths).
 */
final class WinogradConv {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length(), MR = MicroKernel.MR, NR = MicroKernel.NR;
    /** Lanes 0, 2, 4, ... of the 2V values a ++ b, and lanes 1, 3, 5, ...; the two interleavings of a and b. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i), ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);
    private static final VectorShuffle<Float> LOW = VectorShuffle.fromOp(S, i -> i % 2 == 0 ? i / 2 : V + i / 2);
    private static final VectorShuffle<Float> HIGH = VectorShuffle.fromOp(S, i -> i % 2 == 0 ? V / 2 + i / 2 : V + V / 2 + i / 2);
    private static final ScratchBuffer PADDED = new ScratchBuffer(), INPUT = new ScratchBuffer(), PRODUCTS = new ScratchBuffer();
    private static final ScratchBuffer WEIGHTS = new ScratchBuffer(), EDGE = new ScratchBuffer();

    /** -Dmaskseg.conv.winograd=false turns it off (for results closer to the direct sum, or to compare). */
    static final boolean ENABLED = !"false".equals(System.getProperty("maskseg.conv.winograd"));

    private WinogradConv() {}

    /**
     * 3x3, stride 1, no dilation, channel counts that fill the micro-kernel's rows, and an output at least 8 wide whose
     * tile rows waste at most a quarter of the vector lanes (56 → 28 tiles in 32 lanes; 14 → 7 tiles would waste 9 of 16).
     */
    static boolean applies(int cinG, int coutG, int kh, int kw, int oh, int ow, ConvParams p) {
        if (kh != 3 || kw != 3 || p.strideH() != 1 || p.strideW() != 1 || p.dilationH() != 1 || p.dilationW() != 1) return false;
        if (coutG % MR != 0 || cinG < 16 || oh < 4 || ow < 8) return false;
        int tiles = Math.ceilDiv(ow, 2);
        return roundUp(tiles, V) <= 1.25 * tiles;
    }

    private static int roundUp(int n, int m) { return Math.ceilDiv(n, m) * m; }

    /** G g G^T of every [co, ci] 3x3 kernel, packed as the micro-kernel's A operand: [16][coutG / MR][cinG][MR]. */
    static float[] transformWeights(float[] w, int wBase, int coutG, int cinG) {
        float[] u = WEIGHTS.atLeast(16 * coutG * cinG);
        float[] kernel = new float[16];
        int xiStride = coutG * cinG;
        for (int co = 0; co < coutG; co++) {
            for (int ci = 0; ci < cinG; ci++) {
                transformKernel(w, wBase + (co * cinG + ci) * 9, kernel);
                int at = ((co / MR) * cinG + ci) * MR + co % MR;
                for (int xi = 0; xi < 16; xi++) u[at + xi * xiStride] = kernel[xi];
            }
        }
        return u;
    }

    /** u[4k + l] = (G g Gᵀ)[k][l] for the 3x3 kernel g = w[at .. at + 9). */
    static void transformKernel(float[] w, int at, float[] u) {
        for (int c = 0; c < 3; c++) {   // column c of G g: g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2, kept in u's column c for now
            float g0 = w[at + c], g1 = w[at + 3 + c], g2 = w[at + 6 + c];
            u[c] = g0;
            u[4 + c] = 0.5f * (g0 + g1 + g2);
            u[8 + c] = 0.5f * (g0 - g1 + g2);
            u[12 + c] = g2;
        }
        for (int k = 0; k < 4; k++) {   // (G g) Gᵀ, row by row, in place
            float h0 = u[4 * k], h1 = u[4 * k + 1], h2 = u[4 * k + 2];
            u[4 * k] = h0;
            u[4 * k + 1] = 0.5f * (h0 + h1 + h2);
            u[4 * k + 2] = 0.5f * (h0 - h1 + h2);
            u[4 * k + 3] = h2;
        }
    }

    /**
     * y[co, oy, ox] += Σ_ci,i,j w[co, ci, i, j] · x[ci, oy − padH + i, ox − padW + j] for one image and group, with u
     * from {@link #transformWeights}. A null pool runs single-threaded; otherwise blocks of tiles go to its threads.
     */
    static void forward(WorkerPool pool, float[] x, int xBase, int cinG, int h, int w, float[] u, int coutG,
                        float[] y, int yBase, int oh, int ow, ConvParams p) {
        int tilesY = Math.ceilDiv(oh, 2), tileLanes = roundUp(Math.ceilDiv(ow, 2), V);
        int hp = 2 * tilesY + 2, wp = 2 * tileLanes + 2;
        float[] padded = pad(x, xBase, cinG, h, w, hp, wp, p);
        int groups = tilesY * (tileLanes / V);                                  // V-lane groups of tiles
        int groupsPerBlock = 2 * Math.max(1, 128 / cinG);                      // NR = 2V lanes per sliver
        int blocks = Math.ceilDiv(groups, groupsPerBlock);
        int tasks = pool == null ? 1 : pool.tasks(blocks, (long) blocks * groupsPerBlock * V * cinG * coutG, 1);
        if (tasks <= 1) {
            for (int b = 0; b < blocks; b++) block(b, groupsPerBlock, groups, padded, hp, wp, tileLanes, cinG, u, coutG, y, yBase, oh, ow);
            return;
        }
        pool.forRange(tasks, t -> {
            for (int b = blocks * t / tasks; b < blocks * (t + 1) / tasks; b++) {
                block(b, groupsPerBlock, groups, padded, hp, wp, tileLanes, cinG, u, coutG, y, yBase, oh, ow);
            }
        });
    }

    /** The input zero-padded so that every tile's 4x4 patch, and the 2V columns the transform reads, lie inside. */
    private static float[] pad(float[] x, int xBase, int cinG, int h, int w, int hp, int wp, ConvParams p) {
        int plane = hp * wp + 2 * V;
        float[] padded = PADDED.atLeast(cinG * plane);
        java.util.Arrays.fill(padded, 0, cinG * plane, 0f);
        for (int ci = 0; ci < cinG; ci++) {
            for (int iy = 0; iy < h; iy++) {
                int py = iy + p.padH();
                if (py >= hp) break;
                int cols = Math.min(w, wp - p.padW());
                System.arraycopy(x, xBase + (ci * h + iy) * w, padded, ci * plane + py * wp + p.padW(), cols);
            }
        }
        return padded;
    }

    private static void block(int b, int groupsPerBlock, int groups, float[] padded, int hp, int wp, int tileLanes, int cinG,
                              float[] u, int coutG, float[] y, int yBase, int oh, int ow) {
        int g0 = b * groupsPerBlock, g1 = Math.min(groups, g0 + groupsPerBlock);
        int slivers = Math.ceilDiv(g1 - g0, 2), lanes = slivers * NR;
        // the 16 transformed matrices lie a cache line more than a power of two apart: at exactly 16 KiB, the 16 loads
        // or stores of one tile fell into one cache set
        int vStride = slivers * cinG * NR + V, mStride = coutG * lanes + V;
        float[] v = INPUT.atLeast(16 * vStride);
        float[] m = PRODUCTS.atLeast(16 * mStride);
        int plane = hp * wp + 2 * V, groupsPerRow = tileLanes / V;
        if ((g1 - g0) % 2 != 0) {   // an odd count: the last sliver's second half holds no tiles
            for (int xi = 0; xi < 16; xi++) {
                for (int ci = 0; ci < cinG; ci++) {
                    int at = xi * vStride + ((slivers - 1) * cinG + ci) * NR + V;
                    java.util.Arrays.fill(v, at, at + V, 0f);
                }
            }
        }
        for (int g = g0; g < g1; g++) {
            int ty = g / groupsPerRow, col = 2 * (g % groupsPerRow) * V, s = (g - g0) / 2, half = (g - g0) % 2 * V;
            for (int ci = 0; ci < cinG; ci++) {
                int row = ci * plane + 2 * ty * wp + col;
                inputTile(padded, row, wp, v, (s * cinG + ci) * NR + half, vStride);
            }
        }
        int coSlivers = coutG / MR;
        for (int xi = 0; xi < 16; xi++) {
            for (int s = 0; s < slivers; s++) {
                for (int cs = 0; cs < coSlivers; cs++) {
                    MicroKernel.run(cinG, u, (xi * coSlivers + cs) * cinG * MR, v, xi * vStride + s * cinG * NR,
                            m, xi * mStride + cs * MR * lanes + s * NR, lanes, false);
                }
            }
        }
        for (int g = g0; g < g1; g++) {
            int ty = g / groupsPerRow, tx0 = (g % groupsPerRow) * V, lane = (g - g0) * V;
            for (int co = 0; co < coutG; co++) outputTile(m, co * lanes + lane, mStride, y, yBase + co * oh * ow, 2 * ty, 2 * tx0, oh, ow);
        }
    }

    /**
     * B^T d B for the V patches whose top-left corners are padded[row + 2t] (t = 0..V-1), each of its 16 values stored
     * at v[at + xi·xiStride] as V consecutive lanes.
     */
    private static void inputTile(float[] padded, int row, int wp, float[] v, int at, int xiStride) {
        // each patch row's four columns as vectors over the V patches, then the column transform d B (named locals:
        // an array of vectors would be boxed)
        int o = row;
        FloatVector a = FloatVector.fromArray(S, padded, o), b = FloatVector.fromArray(S, padded, o + V);
        FloatVector a2 = FloatVector.fromArray(S, padded, o + 2), b2 = FloatVector.fromArray(S, padded, o + 2 + V);
        FloatVector d0 = a.rearrange(EVEN, b), d1 = a.rearrange(ODD, b), d2 = a2.rearrange(EVEN, b2), d3 = a2.rearrange(ODD, b2);
        FloatVector c00 = d0.sub(d2), c01 = d1.add(d2), c02 = d2.sub(d1), c03 = d1.sub(d3);
        o += wp;
        a = FloatVector.fromArray(S, padded, o);
        b = FloatVector.fromArray(S, padded, o + V);
        a2 = FloatVector.fromArray(S, padded, o + 2);
        b2 = FloatVector.fromArray(S, padded, o + 2 + V);
        d0 = a.rearrange(EVEN, b);
        d1 = a.rearrange(ODD, b);
        d2 = a2.rearrange(EVEN, b2);
        d3 = a2.rearrange(ODD, b2);
        FloatVector c10 = d0.sub(d2), c11 = d1.add(d2), c12 = d2.sub(d1), c13 = d1.sub(d3);
        o += wp;
        a = FloatVector.fromArray(S, padded, o);
        b = FloatVector.fromArray(S, padded, o + V);
        a2 = FloatVector.fromArray(S, padded, o + 2);
        b2 = FloatVector.fromArray(S, padded, o + 2 + V);
        d0 = a.rearrange(EVEN, b);
        d1 = a.rearrange(ODD, b);
        d2 = a2.rearrange(EVEN, b2);
        d3 = a2.rearrange(ODD, b2);
        FloatVector c20 = d0.sub(d2), c21 = d1.add(d2), c22 = d2.sub(d1), c23 = d1.sub(d3);
        o += wp;
        a = FloatVector.fromArray(S, padded, o);
        b = FloatVector.fromArray(S, padded, o + V);
        a2 = FloatVector.fromArray(S, padded, o + 2);
        b2 = FloatVector.fromArray(S, padded, o + 2 + V);
        d0 = a.rearrange(EVEN, b);
        d1 = a.rearrange(ODD, b);
        d2 = a2.rearrange(EVEN, b2);
        d3 = a2.rearrange(ODD, b2);
        FloatVector c30 = d0.sub(d2), c31 = d1.add(d2), c32 = d2.sub(d1), c33 = d1.sub(d3);
        // the row transform B^T (d B): value (k, l) goes to v[at + (4k + l)·xiStride]
        c00.sub(c20).intoArray(v, at);
        c01.sub(c21).intoArray(v, at + xiStride);
        c02.sub(c22).intoArray(v, at + 2 * xiStride);
        c03.sub(c23).intoArray(v, at + 3 * xiStride);
        c10.add(c20).intoArray(v, at + 4 * xiStride);
        c11.add(c21).intoArray(v, at + 5 * xiStride);
        c12.add(c22).intoArray(v, at + 6 * xiStride);
        c13.add(c23).intoArray(v, at + 7 * xiStride);
        c20.sub(c10).intoArray(v, at + 8 * xiStride);
        c21.sub(c11).intoArray(v, at + 9 * xiStride);
        c22.sub(c12).intoArray(v, at + 10 * xiStride);
        c23.sub(c13).intoArray(v, at + 11 * xiStride);
        c10.sub(c30).intoArray(v, at + 12 * xiStride);
        c11.sub(c31).intoArray(v, at + 13 * xiStride);
        c12.sub(c32).intoArray(v, at + 14 * xiStride);
        c13.sub(c33).intoArray(v, at + 15 * xiStride);
    }

    /**
     * A^T M A for V tiles, M's 16 values at m[at + xi·xiStride]: adds the 2x2 outputs to the plane at y[plane] at rows
     * oy, oy + 1 and columns ox + 2t, ox + 2t + 1, leaving out what falls outside oh x ow.
     */
    private static void outputTile(float[] m, int at, int xiStride, float[] y, int plane, int oy, int ox, int oh, int ow) {
        // A^T M: rows m0 + m1 + m2 and m1 − m2 − m3 of each column l (named locals: an array of vectors would be boxed)
        FloatVector m0 = FloatVector.fromArray(S, m, at), m1 = FloatVector.fromArray(S, m, at + 4 * xiStride);
        FloatVector m2 = FloatVector.fromArray(S, m, at + 8 * xiStride), m3 = FloatVector.fromArray(S, m, at + 12 * xiStride);
        FloatVector r00 = m0.add(m1).add(m2), r10 = m1.sub(m2).sub(m3);
        m0 = FloatVector.fromArray(S, m, at + xiStride);
        m1 = FloatVector.fromArray(S, m, at + 5 * xiStride);
        m2 = FloatVector.fromArray(S, m, at + 9 * xiStride);
        m3 = FloatVector.fromArray(S, m, at + 13 * xiStride);
        FloatVector r01 = m0.add(m1).add(m2), r11 = m1.sub(m2).sub(m3);
        m0 = FloatVector.fromArray(S, m, at + 2 * xiStride);
        m1 = FloatVector.fromArray(S, m, at + 6 * xiStride);
        m2 = FloatVector.fromArray(S, m, at + 10 * xiStride);
        m3 = FloatVector.fromArray(S, m, at + 14 * xiStride);
        FloatVector r02 = m0.add(m1).add(m2), r12 = m1.sub(m2).sub(m3);
        m0 = FloatVector.fromArray(S, m, at + 3 * xiStride);
        m1 = FloatVector.fromArray(S, m, at + 7 * xiStride);
        m2 = FloatVector.fromArray(S, m, at + 11 * xiStride);
        m3 = FloatVector.fromArray(S, m, at + 15 * xiStride);
        FloatVector r03 = m0.add(m1).add(m2), r13 = m1.sub(m2).sub(m3);
        // (A^T M) A: output columns r0 + r1 + r2 and r1 − r2 − r3 of each row, interleaved and added to y (inline: a
        // method taking vectors was not inlined and boxed them)
        FloatVector left = r00.add(r01).add(r02), right = r01.sub(r02).sub(r03);
        int o = plane + oy * ow + ox;
        boolean whole = ox + 2 * V <= ow;
        if (whole) {
            FloatVector.fromArray(S, y, o).add(left.rearrange(LOW, right)).intoArray(y, o);
            FloatVector.fromArray(S, y, o + V).add(left.rearrange(HIGH, right)).intoArray(y, o + V);
        } else {
            float[] t = EDGE.atLeast(2 * V);
            left.rearrange(LOW, right).intoArray(t, 0);
            left.rearrange(HIGH, right).intoArray(t, V);
            addEdge(t, y, o, ow - ox);
        }
        if (oy + 1 >= oh) return;
        left = r10.add(r11).add(r12);
        right = r11.sub(r12).sub(r13);
        o += ow;
        if (whole) {
            FloatVector.fromArray(S, y, o).add(left.rearrange(LOW, right)).intoArray(y, o);
            FloatVector.fromArray(S, y, o + V).add(left.rearrange(HIGH, right)).intoArray(y, o + V);
        } else {
            float[] t = EDGE.atLeast(2 * V);
            left.rearrange(LOW, right).intoArray(t, 0);
            left.rearrange(HIGH, right).intoArray(t, V);
            addEdge(t, y, o, ow - ox);
        }
    }

    /** The first n of a tile group's outputs at a row's right edge. */
    private static void addEdge(float[] t, float[] y, int o, int n) {
        for (int j = 0; j < n; j++) y[o + j] += t[j];
    }
}
