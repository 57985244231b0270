package dev.maskseg.engine.jvm;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetMathTest {
    private static final int L = DetMath.S.length();

    /** Inputs: a log-spaced sweep of both signs, random values, and the special cases. */
    private static float[] inputs(float lo, float hi) {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[L * 4000];
        for (int i = 0; i < x.length; i++) x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        float[] special = {0f, -0f, 1f, -1f, Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, 1e-8f, -1e-8f, 0.3f, -0.3f, 0.29999998f,
                88.7f, 88.72283f, 88.8f, -87.3f, -100f, -103.9f, -104f, 1e30f, Float.MAX_VALUE, Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        System.arraycopy(special, 0, x, 0, special.length);
        return x;
    }

    private static void check(String name, float[] x, UnaryOperator<FloatVector> vec, java.util.function.Function<Float, Float> scalar,
                              DoubleUnaryOperator exact, double relTol, double absTol) {
        for (int i = 0; i < x.length; i += L) {
            float[] y = vec.apply(FloatVector.fromArray(DetMath.S, x, i)).toArray();
            for (int j = 0; j < L; j++) {
                float xi = x[i + j], s = scalar.apply(xi);
                assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(y[j]), name + "(" + xi + "): vector " + y[j] + " vs scalar " + s);
                double e = exact.applyAsDouble(xi);
                if (Double.isNaN(e) || Double.isInfinite(e) || Math.abs(e) > Float.MAX_VALUE) {
                    assertEquals((float) e, s, name + "(" + xi + ")");
                    continue;
                }
                double err = Math.abs(s - e);
                assertTrue(err <= absTol || err <= relTol * Math.abs(e), name + "(" + xi + ") = " + s + ", exact " + e + ", error " + err);
            }
        }
    }

    @Test
    void expIsAccurateAndTheSameInVectorAndScalarForm() {
        check("exp", inputs(-110f, 90f), DetMath::exp, DetMath::exp, StrictMath::exp, 3e-7, 1.5e-45);
        check("exp", inputs(-2f, 2f), DetMath::exp, DetMath::exp, StrictMath::exp, 3e-7, 1.5e-45);
    }

    /** Softmax's exp: x ≤ 0; below −87.68 flushed to zero, above it within the smallest normal float of exp. */
    @Test
    void expNonPositiveIsAccurateAndTheSameInVectorAndScalarForm() {
        for (float[] x : new float[][]{inputs(-110f, 0f), inputs(-2f, 0f)}) {
            for (int i = 0; i < x.length; i++) if (x[i] > 0) x[i] = -x[i];
            check("expNonPositive", x, DetMath::expNonPositive, DetMath::expNonPositive, StrictMath::exp, 3e-7, Float.MIN_NORMAL);
        }
        assertEquals(0f, DetMath.expNonPositive(Float.NEGATIVE_INFINITY));
        assertEquals(0f, DetMath.expNonPositive(-87.7f));
        assertTrue(DetMath.expNonPositive(-87.6f) > 0f && DetMath.expNonPositive(-87.6f) < Float.MIN_NORMAL, "a denormal above the flush");
        assertTrue(Float.isNaN(DetMath.expNonPositive(Float.NaN)));
        assertEquals(1f, DetMath.expNonPositive(0f));
    }

    @Test
    void logIsAccurateAndTheSameInVectorAndScalarForm() {
        check("log", inputs(-1f, 1e6f), DetMath::log, DetMath::log, StrictMath::log, 3e-7, 3e-7);
        check("log", inputs(0f, 2f), DetMath::log, DetMath::log, StrictMath::log, 3e-7, 1e-7);
        float[] tiny = new float[L * 64];
        for (int i = 0; i < tiny.length; i++) tiny[i] = Float.MIN_VALUE * (i + 1) * 977;
        check("log", tiny, DetMath::log, DetMath::log, StrictMath::log, 3e-7, 0);
    }

    @Test
    void tanhIsAccurateAndTheSameInVectorAndScalarForm() {
        check("tanh", inputs(-12f, 12f), DetMath::tanh, DetMath::tanh, StrictMath::tanh, 4e-7, 0);
        check("tanh", inputs(-0.5f, 0.5f), DetMath::tanh, DetMath::tanh, StrictMath::tanh, 4e-7, 0);
    }
}
