package dev.maskseg.engine.aparapi;

import com.aparapi.Range;
import com.aparapi.device.OpenCLDevice;
import dev.maskseg.engine.backend.IndexRangeException;
import dev.maskseg.engine.backend.View;

import java.util.Arrays;

/**
 * Fills {@link ArenaKernel#meta} and launches the kernel on the chosen OpenCL device. After every
 * launch it checks that OpenCL really ran it: Aparapi's silent Java-thread-pool fallback is an
 * error unless the user allowed it.
 */
final class Launcher {
    static final int GROUP = 64;

    final EngineKernel k = new EngineKernel();
    private final OpenCLDevice device;
    private final boolean allowJavaFallback;

    Launcher(OpenCLDevice device, boolean allowJavaFallback) {
        this.device = device;
        this.allowJavaFallback = allowJavaFallback;
        k.setExplicit(true);
    }

    static int at(View v) { return ((AparapiStorage) v.storage()).offset + v.offset(); }

    int[] meta() {
        Arrays.fill(k.meta, 0);
        return k.meta;
    }

    /** Strided layout over `shape`; each view given as {offset, dtype, strides...}. */
    int[] strided(int[] shape, View... views) {
        int[][] strides = new int[views.length][];
        for (int v = 0; v < views.length; v++) strides[v] = views[v].strides();
        return strided(shape, views, strides);
    }

    int[] strided(int[] shape, View[] views, int[][] strides) {
        if (shape.length > ArenaKernel.MAXR) {
            throw new IllegalArgumentException("aparapi: tensors of rank " + shape.length + " > "
                    + ArenaKernel.MAXR + " are not supported (shape " + Arrays.toString(shape) + ")");
        }
        int[] m = meta();
        m[0] = shape.length;
        for (int i = 0; i < shape.length; i++) m[ArenaKernel.SHAPE + i] = shape[i];
        for (int v = 0; v < views.length; v++) {
            int base = ArenaKernel.VIEW0 + v * ArenaKernel.VIEW_LEN;
            m[base] = at(views[v]);
            m[base + 1] = AparapiStorage.code(views[v].dtype());
            for (int i = 0; i < shape.length; i++) m[base + 2 + i] = strides[v][i];
        }
        return m;
    }

    /** One work-item per element of a 1-D range of n (rounded up to the group size). */
    void launch(int op, int sub, int n) {
        if (n <= 0) return;
        k.op = op;
        k.sub = sub;
        k.n = n;
        k.put(k.meta);
        int global = (n + GROUP - 1) / GROUP * GROUP;
        k.execute(device == null ? Range.create(global, GROUP) : device.createRange(global, GROUP));
        checkRanOnOpenCl();
    }

    /** C = A @ B over a batch: 64x64 tiles, 16x16 work-items. */
    void launchGemm(int m, int n, int batch) {
        if (m <= 0 || n <= 0 || batch <= 0) return;
        k.op = ArenaKernel.OP_GEMM;
        k.put(k.meta);
        int gx = (n + AparapiLinAlgKernel.TILE - 1) / AparapiLinAlgKernel.TILE * AparapiLinAlgKernel.LOCAL;
        int gy = (m + AparapiLinAlgKernel.TILE - 1) / AparapiLinAlgKernel.TILE * AparapiLinAlgKernel.LOCAL;
        int l = AparapiLinAlgKernel.LOCAL;
        k.execute(device == null ? Range.create3D(gx, gy, batch, l, l, 1) : device.createRange3D(gx, gy, batch, l, l, 1));
        checkRanOnOpenCl();
    }

    /** Throws the op's bounds error when a kernel flagged an out-of-range index. */
    void checkIndexError(String op, int dim, int size) {
        k.get(k.err);
        if (k.err[0] != 0) {
            int bad = k.err[1];
            k.err[0] = 0;
            k.err[1] = 0;
            k.put(k.err);
            throw new IndexRangeException(op, bad, dim, size);
        }
    }

    private void checkRanOnOpenCl() {
        if (!k.isRunningCL() && !allowJavaFallback) {
            throw new IllegalStateException("aparapi: the kernel did not run on OpenCL (Aparapi fell back to its Java"
                    + " thread pool, device " + k.getTargetDevice() + "); check the OpenCL driver (clinfo) or pass"
                    + " -D" + AparapiBackendProvider.ALLOW_FALLBACK + "=true to accept the fallback");
        }
    }
}
