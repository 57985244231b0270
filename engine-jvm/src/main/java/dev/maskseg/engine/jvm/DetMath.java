package dev.maskseg.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, log and tanh for float32 from IEEE add/mul/convert and bit operations only, in a vector and a scalar form
 * that perform the same operations in the same order. The Vector API's EXP/LOG/TANH give different last bits in
 * the interpreter (per-lane Math calls) and in C2 (SVML stubs), which made training depend on JIT timing, so a run
 * resumed in a fresh JVM diverged from an uninterrupted one. These agree bit for bit in every tier; accuracy is a
 * few ulp (Cody–Waite reduction and Taylor polynomials, checked against StrictMath in the tests). Fused multiply-adds
 * are deterministic too (one rounding, in Math.fma as in the FMA instruction), so the polynomials use them.
 */
final class DetMath {
    static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final float LOG2E = 1.44269504f, LN2_HI = 0.693145752f, LN2_LO = 1.42860677e-6f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding and subtracting it rounds to the nearest integer
    /** Above EXP_MAX the result overflows to +inf; below EXP_MIN it is below half the smallest denormal. */
    private static final float EXP_MAX = 88.72284f, EXP_MIN = -103.97208f;
    /** {@link #expNonPositive} clamps its argument here: round(−88·log2 e) = −127, whose 2^n has all-zero bits. */
    private static final float EXP_FLUSH = -88f;
    private static final float E2 = 1f / 2, E3 = 1f / 6, E4 = 1f / 24, E5 = 1f / 120, E6 = 1f / 720;
    private static final float SQRT_HALF = 0.70710678f;
    private static final float L3 = 1f / 3, L5 = 1f / 5, L7 = 1f / 7, L9 = 1f / 9;
    private static final float T3 = -1f / 3, T5 = 2f / 15, T7 = -17f / 315, T9 = 62f / 2835, T11 = -1382f / 155925;
    private static final float TANH_SMALL = 0.3f;

    private DetMath() {}

    static float exp(float x) {
        if (x != x) return x;
        if (x > EXP_MAX) return Float.POSITIVE_INFINITY;
        if (x < EXP_MIN) return 0f;
        float n = Math.fma(x, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, x));
        float p = poly(r);
        int k = (int) n, half = k >> 1;
        return p * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((k - half + 127) << 23);
    }

    /** 1 + r + r²/2 + … + r⁶/720 by Horner's rule with fused steps. */
    private static float poly(float r) {
        return Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(E6, r, E5), r, E4), r, E3), r, E2), r, 1f), r, 1f);
    }

    private static FloatVector c(float v) { return FloatVector.broadcast(S, v); }

    private static FloatVector poly(FloatVector r) {
        FloatVector p = r.fma(E6, E5);
        return p.fma(r, c(E4)).fma(r, c(E3)).fma(r, c(E2)).fma(r, c(1f)).fma(r, c(1f));
    }

    /**
     * exp for x ≤ 0 (softmax, after subtracting the row's maximum): one scaling by 2^n instead of two and no overflow
     * handling. Where x·log2 e rounds below −126 (x < −87.68) the result is flushed to zero: the argument is clamped at
     * {@link #EXP_FLUSH}, where 2^n is the all-zero bit pattern, so neither form needs a comparison. NaN stays NaN.
     */
    static float expNonPositive(float x) {
        if (x != x) return x;
        float c = Math.max(x, EXP_FLUSH);
        float n = Math.fma(c, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, c));
        return poly(r) * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    static FloatVector expNonPositive(FloatVector x) {
        FloatVector c = x.max(EXP_FLUSH);
        FloatVector rounded = c.fma(LOG2E, ROUND), n = rounded.sub(ROUND);
        FloatVector r = n.fma(c(-LN2_HI), c);
        r = n.fma(c(-LN2_LO), r);
        // rounded's low mantissa bits hold n (its bits are those of 1.5·2^23 plus n), so shifting them into the exponent
        // field gives n << 23 without a float-to-int conversion: the same 2^n as the scalar form's
        IntVector k = rounded.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
        return poly(r).mul(k.add(127 << 23).reinterpretAsFloats());
    }

    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector n = c.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(c(-LN2_LO), n.fma(c(-LN2_HI), c));
        FloatVector p = poly(r);
        // 2^n as two factors 2^(n>>1) · 2^(n - (n>>1)), both normal, so results down to the denormals are exact scalings
        IntVector k = (IntVector) n.convert(VectorOperators.F2I, 0), half = k.lanewise(VectorOperators.ASHR, 1);
        FloatVector y = p.mul(half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(k.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        y = y.blend(0f, x.compare(VectorOperators.LT, EXP_MIN)).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }

    static float log(float x) {
        if (x != x || x < 0f) return Float.NaN;
        if (x == 0f) return Float.NEGATIVE_INFINITY;
        if (x == Float.POSITIVE_INFINITY) return x;
        int e = 0;
        if (x < Float.MIN_NORMAL) {
            x *= 8388608f; // 2^23
            e = -23;
        }
        int bits = Float.floatToRawIntBits(x);
        e += ((bits >>> 23) & 255) - 127;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        if (m > 2f * SQRT_HALF) {
            m = m * 0.5f;
            e = e + 1;
        }
        float s = (m - 1f) / (m + 1f), s2 = s * s;
        float p = (((L9 * s2 + L7) * s2 + L5) * s2 + L3) * s2 * s;
        float fe = e;
        return (fe * LN2_LO + (s + s + (p + p))) + fe * LN2_HI;
    }

    static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(8388608f), sub);
        IntVector bits = (IntVector) xs.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).and(255).sub(127)
                .sub(IntVector.zero(VectorWidth.INTS).blend(23, sub.cast(VectorWidth.INTS)));
        FloatVector m = bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats();
        VectorMask<Float> high = m.compare(VectorOperators.GT, 2f * SQRT_HALF);
        m = m.blend(m.mul(0.5f), high);
        e = e.add(IntVector.zero(VectorWidth.INTS).blend(1, high.cast(VectorWidth.INTS)));
        FloatVector s = m.sub(1f).div(m.add(1f)), s2 = s.mul(s);
        FloatVector p = s2.mul(L9).add(L7).mul(s2).add(L5).mul(s2).add(L3).mul(s2).mul(s);
        FloatVector fe = (FloatVector) e.convert(VectorOperators.I2F, 0);
        FloatVector y = fe.mul(LN2_LO).add(s.add(s).add(p.add(p))).add(fe.mul(LN2_HI));
        y = y.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f))
                .blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
        return y.blend(Float.NaN, x.compare(VectorOperators.LT, 0f).or(x.test(VectorOperators.IS_NAN)));
    }

    static float tanh(float x) {
        float a = Math.abs(x);
        float y;
        if (a < TANH_SMALL) {
            float a2 = a * a;
            y = (((((T11 * a2 + T9) * a2 + T7) * a2 + T5) * a2 + T3) * a2) * a + a;
        } else {
            y = 1f - 2f / (exp(a + a) + 1f);
        }
        return x != x ? x : x < 0f ? -y : y;
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs(), a2 = a.mul(a);
        FloatVector small = a2.mul(T11).add(T9).mul(a2).add(T7).mul(a2).add(T5).mul(a2).add(T3).mul(a2).mul(a).add(a);
        FloatVector large = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(a.add(a)).add(1f)));
        FloatVector y = large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL));
        y = y.blend(y.neg(), x.compare(VectorOperators.LT, 0f));
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }
}
