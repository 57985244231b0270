package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

/** The heap arrays behind host views, for kernels that index them directly. */
final class ViewArrays {
    private ViewArrays() {}

    static float[] f(View v) { return ((HostStorage.F32) v.storage()).data; }

    static long[] longs(View v) { return ((HostStorage.I64) v.storage()).data; }
}
