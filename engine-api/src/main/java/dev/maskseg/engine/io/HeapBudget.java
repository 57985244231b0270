package dev.maskseg.engine.io;

/**
 * Checks, before a large allocation whose size comes from input (a tensor in a file, an image, a requested size), that
 * the JVM heap can hold it, so the answer is one line saying how large it is and how to give the JVM more, not an
 * {@link OutOfMemoryError} halfway through. The refusal is an {@link java.io.IOException}: like a corrupt file, an input
 * too large for the heap is that input's error.
 */
public final class HeapBudget {
    private static final long GIB = 1L << 30;

    private HeapBudget() {}

    /** The refusal: {@code what} and its size, the heap's free and maximum size, and the flag that gives more. */
    public static final class Exceeded extends java.io.IOException {
        Exceeded(String message) { super(message); }
    }

    /**
     * Throws {@link Exceeded} when {@code bytes} more do not fit in the heap. Near the limit the heap is collected once
     * before refusing, since garbage counts as used until then.
     */
    public static void require(long bytes, String what) throws Exceeded {
        if (bytes < 0) throw new Exceeded(what + " is larger than any heap (its size overflows a 64-bit count)");
        Runtime rt = Runtime.getRuntime();
        if (bytes <= available(rt)) return;
        if (bytes < rt.maxMemory()) {
            System.gc();
            if (bytes <= available(rt)) return;
        }
        long used = rt.totalMemory() - rt.freeMemory();
        long suggest = Math.max(1, (long) Math.ceil((used + (double) bytes) * 1.25 / GIB));
        throw new Exceeded(what + " needs " + human(bytes) + " but the JVM heap has " + human(available(rt)) + " free of its "
                + human(rt.maxMemory()) + " maximum; give the JVM more memory, e.g. MASKSEG_JAVA_OPTS=-Xmx" + suggest + "g");
    }

    /** Bytes the heap can still grow into (maximum minus what is in use now, garbage included). */
    public static long available() { return available(Runtime.getRuntime()); }

    private static long available(Runtime rt) { return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()); }

    /** {@code 1.5 GiB}, {@code 12.0 MiB}, {@code 512 bytes}. */
    public static String human(long bytes) {
        if (bytes >= GIB) return String.format("%.1f GiB", bytes / (double) GIB);
        if (bytes >= 1 << 20) return String.format("%.1f MiB", bytes / (double) (1 << 20));
        if (bytes >= 1 << 10) return String.format("%.1f KiB", bytes / 1024.0);
        return bytes + " bytes";
    }
}
