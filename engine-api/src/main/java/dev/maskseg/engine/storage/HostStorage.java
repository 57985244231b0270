package dev.maskseg.engine.storage;

import dev.maskseg.engine.DType;

/**
 * A buffer in JVM heap memory. Generic accessors let the reference kernels be written once for
 * every dtype; fast kernels use the typed arrays of the subclasses directly.
 */
public abstract sealed class HostStorage implements Storage
        permits HostStorage.F32, HostStorage.F64, HostStorage.I64, HostStorage.I32, HostStorage.U8 {

    public static final String HOST = "host";

    private boolean pinned, released;

    public abstract double get(int i);

    public abstract void set(int i, double v);

    public long getLong(int i) { return (long) get(i); }

    public void setLong(int i, long v) { set(i, v); }

    @Override
    public String backendName() { return HOST; }

    /** Kept from reuse for good: autograd saved a tensor over it (see {@link #release}). */
    public void pin() { pinned = true; }

    /** True once {@link #release} handed the buffer back; every tensor over it is then unusable. */
    public boolean released() { return released; }

    /**
     * Hands the buffer to {@link FloatBufferPool} when this storage got it from an allocation (not a wrapped user array),
     * holds float32 and is not pinned; returns whether it did. The caller vouches that no tensor over it is still used.
     */
    public boolean release() {
        if (released || pinned || !(this instanceof F32 f) || !f.owned) return false;
        released = true;
        FloatBufferPool.give(f.data);
        return true;
    }

    /** Zero-filled, as a new Java array: a float buffer reused from {@link FloatBufferPool} is cleared first. */
    public static HostStorage allocate(DType dtype, int n) {
        if (dtype == DType.FLOAT32) {
            float[] a = FloatBufferPool.take(n);
            if (a == null) return new F32(new float[n], true);
            java.util.Arrays.fill(a, 0f);
            return new F32(a, true);
        }
        return allocateUninitialized(dtype, n);
    }

    /** For an output its kernel overwrites whole: a reused float buffer keeps what it held. */
    public static HostStorage allocateUninitialized(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> {
                float[] a = FloatBufferPool.take(n);
                yield new F32(a == null ? new float[n] : a, true);
            }
            case FLOAT64 -> new F64(new double[n]);
            case INT64 -> new I64(new long[n]);
            case INT32 -> new I32(new int[n]);
            case UINT8, BOOL -> new U8(new byte[n], dtype);
        };
    }

    public static final class F32 extends HostStorage {
        public final float[] data;
        private final boolean owned;   // allocated here, not a caller's array: only such a buffer may be reused
        public F32(float[] data) { this(data, false); }
        private F32(float[] data, boolean owned) { this.data = data; this.owned = owned; }
        public DType dtype() { return DType.FLOAT32; }
        public int length() { return data.length; }
        public double get(int i) { return data[i]; }
        public void set(int i, double v) { data[i] = (float) v; }
    }

    public static final class F64 extends HostStorage {
        public final double[] data;
        public F64(double[] data) { this.data = data; }
        public DType dtype() { return DType.FLOAT64; }
        public int length() { return data.length; }
        public double get(int i) { return data[i]; }
        public void set(int i, double v) { data[i] = v; }
    }

    public static final class I64 extends HostStorage {
        public final long[] data;
        public I64(long[] data) { this.data = data; }
        public DType dtype() { return DType.INT64; }
        public int length() { return data.length; }
        public double get(int i) { return data[i]; }
        public void set(int i, double v) { data[i] = (long) v; }
        @Override public long getLong(int i) { return data[i]; }
        @Override public void setLong(int i, long v) { data[i] = v; }
    }

    public static final class I32 extends HostStorage {
        public final int[] data;
        public I32(int[] data) { this.data = data; }
        public DType dtype() { return DType.INT32; }
        public int length() { return data.length; }
        public double get(int i) { return data[i]; }
        public void set(int i, double v) { data[i] = (int) v; }
    }

    /** UINT8 (0..255) or BOOL (0/1) bytes. */
    public static final class U8 extends HostStorage {
        public final byte[] data;
        private final DType dtype;
        public U8(byte[] data, DType dtype) { this.data = data; this.dtype = dtype; }
        public DType dtype() { return dtype; }
        public int length() { return data.length; }
        public double get(int i) { return data[i] & 0xFF; }
        public void set(int i, double v) {
            data[i] = dtype == DType.BOOL ? (byte) (v != 0 ? 1 : 0) : (byte) (int) v;
        }
    }
}
