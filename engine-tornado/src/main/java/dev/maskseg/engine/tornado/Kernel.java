package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task5;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.util.Locale;

/**
 * Every device kernel of the backend, each compiled by TornadoVM into a task-graph of the one execution plan
 * ({@link KernelPlan}). A kernel has one signature, {@code (KernelContext, float arena, double arena, int parameters,
 * double parameters)}, so that all graphs share the arenas on the device; its family's host class fills the
 * parameters and launches it. To add an op: write its kernel in the family's {@code Tornado*Kernel} class, list it
 * here, and launch it from the family's host class.
 */
enum Kernel {
    FILL(TornadoPointwiseKernel::fill, 1),
    COPY(TornadoPointwiseKernel::copy, 1),
    UNARY(TornadoPointwiseKernel::unary, 1),
    BINARY(TornadoPointwiseKernel::binary, 1),
    WHERE(TornadoPointwiseKernel::where, 1),
    REDUCE(TornadoReduceKernel::reduce, 1),
    TOPK(TornadoReduceKernel::topk, 1),
    GEMM(TornadoLinAlgKernel::gemm, 3),
    GEMM_VECTOR(TornadoGemmVectorKernel::gemm, 3),
    IM2COL(TornadoConvKernel::im2col, 2),
    COL2IM(TornadoConvKernel::col2im, 1),
    SOFTMAX(TornadoNormKernel::softmax, 1),
    LAYER_NORM(TornadoNormKernel::layerNorm, 1),
    LAYER_NORM_BACKWARD_X(TornadoNormKernel::layerNormBackwardX, 1),
    LAYER_NORM_BACKWARD_WB(TornadoNormKernel::layerNormBackwardWeightBias, 1),
    MAX_POOL(TornadoPoolKernel::maxPool, 1),
    AVG_POOL(TornadoPoolKernel::avgPool, 1),
    AVG_POOL_BACKWARD(TornadoPoolKernel::avgPoolBackward, 1),
    ADAPTIVE_POOL(TornadoPoolKernel::adaptivePool, 1),
    ADAPTIVE_POOL_BACKWARD(TornadoPoolKernel::adaptivePoolBackward, 1),
    RESIZE(TornadoResizeKernel::resize, 1),
    RESIZE_BACKWARD(TornadoResizeKernel::resizeBackward, 1),
    ROI_ALIGN(TornadoRoiAlignKernel::forward, 1),
    ROI_ALIGN_BACKWARD(TornadoRoiAlignKernel::backward, 1),
    GATHER(TornadoIndexKernel::gather, 1, true),
    SCATTER_ADD(TornadoIndexKernel::scatterAdd, 1, true);

    /** The kernel's code: TornadoVM compiles the static method behind this reference. */
    final Task5<KernelContext, FloatArray, DoubleArray, IntArray, DoubleArray> code;
    /** Dimensions of its launch grid. */
    final int dims;
    /** Whether the int parameters come back to the host after a launch (index kernels report bad indices there). */
    final boolean returnsMeta;

    Kernel(Task5<KernelContext, FloatArray, DoubleArray, IntArray, DoubleArray> code, int dims) {
        this(code, dims, false);
    }

    Kernel(Task5<KernelContext, FloatArray, DoubleArray, IntArray, DoubleArray> code, int dims, boolean returnsMeta) {
        this.code = code;
        this.dims = dims;
        this.returnsMeta = returnsMeta;
    }

    String graphName() { return name().toLowerCase(Locale.ROOT); }
}
