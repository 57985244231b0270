package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Element access that the kernels of every family share (TornadoVM inlines these calls): a load or store by dtype code
 * in the float or double arena, and the offset of a strided view at a row-major launch position.
 */
final class ArenaAccess {
    private ArenaAccess() {}

    static double load(FloatArray f, DoubleArray d, int dtype, int off) {
        double v;
        if (dtype == DT_F32) v = f.get(off);
        else v = d.get(off);
        return v;
    }

    static void store(FloatArray f, DoubleArray d, int dtype, int off, double v) {
        if (dtype == DT_F32) f.set(off, (float) v);
        else if (dtype == DT_F64) d.set(off, v);
        else if (dtype == DT_INT) d.set(off, (double) ((long) v));
        else if (dtype == DT_U8) d.set(off, (double) (((int) v) & 255));
        else d.set(off, v != 0 ? 1.0 : 0.0);
    }

    static int vtype(IntArray m, int v) { return m.get(VIEW0 + v * VIEW_LEN + 1); }

    /** Element offset of view v at row-major position i of the launch shape. */
    static int voff(IntArray m, int v, int i) {
        int base = VIEW0 + v * VIEW_LEN;
        int off = m.get(base);
        int rem = i;
        for (int k = m.get(RANK) - 1; k >= 0; k--) {
            int s = m.get(SHAPE + k);
            off += (rem % s) * m.get(base + 2 + k);
            rem = rem / s;
        }
        return off;
    }

    /** Coordinate of position i along dim k of the launch shape. */
    static int coord(IntArray m, int i, int k) {
        int rem = i;
        for (int j = m.get(RANK) - 1; j > k; j--) rem = rem / m.get(SHAPE + j);
        return rem % m.get(SHAPE + k);
    }
}
