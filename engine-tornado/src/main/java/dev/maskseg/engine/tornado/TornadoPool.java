package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.View;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Host side of the pooling family: max, average and adaptive average pooling; device code in {@link TornadoPoolKernel}. */
final class TornadoPool extends DeviceOps {
    TornadoPool(DeviceArena arena) {
        super(arena);
    }

    /** in: the H x W side (x or gradInput); out: the OH x OW side (y or gradOut). */
    private IntArray poolArgs(View in, View out, PoolParams p, int inAt, int outAt) {
        IntArray m = meta();
        args(m, in.shape()[2], in.shape()[3], out.shape()[2], out.shape()[3], p.kernelH(), p.kernelW(), p.strideH(),
                p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW(), inAt, outAt);
        return m;
    }

    void maxPool2d(View x, PoolParams p, View out, View indices) {
        requireF32("max_pool2d", x, out);
        x = dense(x);
        poolArgs(x, out, p, at(x), at(out)).set(TornadoPoolKernel.INDICES, at(indices));
        launch(Kernel.MAX_POOL, out.numel());
    }

    void avgPool2d(View x, PoolParams p, View out) {
        requireF32("avg_pool2d", x, out);
        x = dense(x);
        poolArgs(x, out, p, at(x), at(out)).set(TornadoPoolKernel.COUNT_PAD, p.countIncludePad() ? 1 : 0);
        launch(Kernel.AVG_POOL, out.numel());
    }

    void avgPool2dBackward(View gradOut, PoolParams p, View gradInput) {
        requireF32("avg_pool2d backward", gradOut, gradInput);
        gradOut = dense(gradOut);
        poolArgs(gradInput, gradOut, p, at(gradOut), at(gradInput)).set(TornadoPoolKernel.COUNT_PAD, p.countIncludePad() ? 1 : 0);
        launch(Kernel.AVG_POOL_BACKWARD, gradInput.numel());
    }

    void adaptiveAvgPool2d(View x, View out) {
        requireF32("adaptive_avg_pool2d", x, out);
        x = dense(x);
        args(meta(), x.shape()[2], x.shape()[3], out.shape()[2], out.shape()[3]);
        IntArray m = plan().meta;
        m.set(TornadoPoolKernel.IN, at(x));
        m.set(TornadoPoolKernel.OUT, at(out));
        launch(Kernel.ADAPTIVE_POOL, out.numel());
    }

    void adaptiveAvgPool2dBackward(View gradOut, View gradInput) {
        requireF32("adaptive_avg_pool2d backward", gradOut, gradInput);
        gradOut = dense(gradOut);
        args(meta(), gradInput.shape()[2], gradInput.shape()[3], gradOut.shape()[2], gradOut.shape()[3]);
        IntArray m = plan().meta;
        m.set(TornadoPoolKernel.IN, at(gradInput));
        m.set(TornadoPoolKernel.OUT, at(gradOut));
        launch(Kernel.ADAPTIVE_POOL_BACKWARD, gradInput.numel());
    }
}
