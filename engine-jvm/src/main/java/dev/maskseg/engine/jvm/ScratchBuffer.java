package dev.maskseg.engine.jvm;

/** A float array per thread, reused across calls and grown to the largest size asked for, so hot loops allocate nothing. */
final class ScratchBuffer {
    private final ThreadLocal<float[]> perThread = new ThreadLocal<>();

    /** The calling thread's array, at least size long; it holds whatever its last use left. */
    float[] atLeast(int size) {
        float[] b = perThread.get();
        if (b == null || b.length < size) perThread.set(b = new float[size]);
        return b;
    }
}
