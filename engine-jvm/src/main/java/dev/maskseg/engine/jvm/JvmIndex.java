package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.IndexRangeException;
import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.jvm.ViewArrays.f;
import static dev.maskseg.engine.jvm.ViewArrays.longs;

/**
 * scatter_add along the last dim of float32 data with an INT64 index, max pooling's backward (ops/Pool) among others.
 * A line is one position of the leading dims; lines write disjoint lines of the dense dst, so they run in parallel, and
 * each line adds in index order, as the reference's row-major loop does, in float (one float addition rounds the same
 * as the reference's double addition stored to float).
 */
final class JvmIndex {
    private JvmIndex() {}

    static void scatterAddLastDim(WorkerPool pool, View dst, View index, View src) {
        int r = index.rank(), last = r - 1, count = index.shape()[last], size = dst.shape()[last];
        if (count == 0 || index.numel() == 0) return;
        int lines = index.numel() / count;
        float[] ds = f(dst), ss = f(src);
        long[] is = longs(index);
        int dStep = dst.strides()[last], iStep = index.strides()[last], sStep = src.strides()[last];
        int tasks = pool.tasks(lines, index.numel(), 65_536);
        pool.forRange(tasks, t -> {
            for (int line = lines * t / tasks, end = lines * (t + 1) / tasks; line < end; line++) {
                int dOff = dst.offset(), iOff = index.offset(), sOff = src.offset(), rem = line;
                for (int k = last - 1; k >= 0; k--) {
                    int c = rem % index.shape()[k];
                    rem /= index.shape()[k];
                    dOff += c * dst.strides()[k];
                    iOff += c * index.strides()[k];
                    sOff += c * src.strides()[k];
                }
                for (int j = 0; j < count; j++) {
                    long at = is[iOff + j * iStep];
                    if (at < 0 || at >= size) throw new IndexRangeException("scatter_add", at, last, size);
                    ds[dOff + (int) at * dStep] += ss[sOff + j * sStep];
                }
            }
        });
    }
}
