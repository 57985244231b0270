package dev.maskseg.engine;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.Norm;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * The Backend interface's default batch-norm ops (what a backend without fused kernels runs, aparapi's included) are
 * compositions of the backend's own reduce and pointwise kernels: run through a backend that has only the reference's
 * primitives, they give the reference's fused results, forward and backward, in float64.
 */
class BatchNormCompositionTest {
    /** The reference backend's primitives behind the interface, with the interface's default batch-norm ops. */
    private static Backend composed(Backend ref) {
        InvocationHandler h = (proxy, m, args) -> {
            if (m.isDefault()) return InvocationHandler.invokeDefault(proxy, m, args);
            try {
                return m.invoke(ref, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, h);
    }

    @Test
    void defaultsMatchTheReferenceKernels() {
        Backend ref = Backends.get(ReferenceBackendProvider.NAME);
        Backend composed = composed(ref);
        for (boolean training : new boolean[]{true, false}) {
            for (boolean relu : new boolean[]{false, true}) {
                double[][] r = run(ref, training, relu), c = run(composed, training, relu);
                for (int k = 0; k < r.length; k++) {
                    for (int i = 0; i < r[k].length; i++) {
                        org.junit.jupiter.api.Assertions.assertEquals(r[k][i], c[k][i], 1e-12 * Math.max(1, Math.abs(r[k][i])),
                                "training=" + training + " relu=" + relu + " output " + k + " element " + i);
                    }
                }
            }
        }
    }

    /** Forward output and the gradients of input, weight and bias. */
    private static double[][] run(Backend be, boolean training, boolean relu) {
        Generator g = new Generator(7);
        Tensor x = Tensor.randn(g, 3, 4, 5, 2).to(DType.FLOAT64).to(be).requiresGrad(true);
        Tensor w = Tensor.randn(g, 4).to(DType.FLOAT64).to(be).requiresGrad(true), b = Tensor.randn(g, 4).to(DType.FLOAT64).to(be).requiresGrad(true);
        Tensor rm = Tensor.randn(g, 4).to(DType.FLOAT64).to(be), rv = Tensor.rand(g, 4).to(DType.FLOAT64).to(be).add(0.5);
        Tensor y = relu ? Norm.batchNormRelu(x, rm, rv, w, b, training, 0.1, 1e-5) : Norm.batchNorm(x, rm, rv, w, b, training, 0.1, 1e-5);
        y.mul(Tensor.randn(new Generator(9), y.shape()).to(DType.FLOAT64).to(be)).sum().backward();
        return new double[][]{y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(), b.grad().toDoubleArray(), rm.toDoubleArray()};
    }
}
