package dev.maskseg.engine;

/**
 * Seeded xoshiro256** generator whose whole state can be saved and restored (checkpoints resume
 * bit-identically). Not thread-safe: give each worker its own, split from a parent.
 */
public final class Generator {
    private static final Generator GLOBAL = new Generator(0);
    private final long[] s = new long[4];

    public Generator(long seed) { manualSeed(seed); }

    public static Generator global() { return GLOBAL; }

    public void manualSeed(long seed) {
        long x = seed;
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            s[i] = z ^ (z >>> 31);
        }
    }

    public long[] state() { return s.clone(); }

    public void setState(long[] state) {
        if (state.length != 4) throw new IllegalArgumentException("generator state must have 4 longs");
        System.arraycopy(state, 0, s, 0, 4);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s[1] * 5, 7) * 9;
        long t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = Long.rotateLeft(s[3], 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) { return (int) Math.floorMod(nextLong() >>> 1, (long) bound); }

    /** Standard normal by Box–Muller (one draw per call, so the state advances predictably). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(), u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A new independent generator derived from this one. */
    public Generator split() { return new Generator(nextLong()); }
}
