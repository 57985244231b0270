package dev.maskseg.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** float32 vector and scalar math for the JVM backend (erf by Abramowitz–Stegun 7.1.26, |err| < 1.5e-7). */
final class VecMath {
    static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f,
            A4 = -1.453152027f, A5 = 1.061405429f;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2)), INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    private VecMath() {}

    static float erf(float x) {
        float ax = Math.abs(x), t = 1f / (1f + P * ax);
        float y = 1f - ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t * DetMath.exp(-ax * ax);
        return Math.copySign(y, x);
    }

    static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(ax.mul(P).add(1f));
        FloatVector poly = t.mul(A5).add(A4).mul(t).add(A3).mul(t).add(A2).mul(t).add(A1).mul(t);
        FloatVector y = poly.mul(DetMath.exp(ax.mul(ax).neg())).neg().add(1f);
        return y.blend(y.neg(), x.compare(VectorOperators.LT, 0f));
    }

    static float gelu(float x) { return 0.5f * x * (1f + erf(x * INV_SQRT2)); }

    static FloatVector gelu(FloatVector x) { return x.mul(0.5f).mul(erf(x.mul(INV_SQRT2)).add(1f)); }

    static float geluGrad(float x) {
        return 0.5f * (1f + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * DetMath.exp(-0.5f * x * x);
    }

    static FloatVector geluGrad(FloatVector x) {
        FloatVector cdf = erf(x.mul(INV_SQRT2)).add(1f).mul(0.5f);
        FloatVector pdf = DetMath.exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
        return cdf.add(x.mul(pdf));
    }

    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(DetMath.exp(x.neg()).add(1f));
    }

    static float sigmoid(float x) {
        return 1f / (1f + DetMath.exp(-x));
    }
}
