package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.View;

import java.util.Arrays;

/**
 * What the host side of every op family shares: the backend's arena and launcher, and the small launches they all
 * need (zeroing, a contiguous copy, a temporary). Families are called by {@link AparapiBackend} with its lock held.
 */
abstract class DeviceOps {
    final AparapiBackend be;
    final Launcher l;

    DeviceOps(AparapiBackend be) {
        this.be = be;
        this.l = be.launcher;
    }

    static void requireF32(String op, View... views) {
        for (View v : views) {
            if (v != null && v.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException("aparapi " + op + ": float32 tensors only, got " + v.dtype()
                        + " of shape " + Arrays.toString(v.shape()));
            }
        }
    }

    void zero(View v) {
        l.strided(v.shape(), v);
        l.k.p1 = 0;
        l.launch(ArenaKernel.OP_FILL, 0, v.numel());
    }

    /** The view itself when contiguous, else a contiguous device copy. */
    View dense(View v) {
        if (v.isContiguous()) return v;
        AparapiStorage s = be.arena.allocate(v.dtype(), v.numel());
        View out = new View(s, 0, v.shape(), View.contiguousStrides(v.shape()));
        l.strided(v.shape(), v, out);
        l.launch(ArenaKernel.OP_COPY, 0, v.numel());
        return out;
    }

    View temp(int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return new View(be.arena.allocate(DType.FLOAT32, n), 0, shape, View.contiguousStrides(shape));
    }

    /** N * C of an NCHW view. */
    static int planes(View v) { return v.shape()[0] * v.shape()[1]; }
}
