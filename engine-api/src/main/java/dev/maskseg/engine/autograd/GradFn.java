package dev.maskseg.engine.autograd;

import dev.maskseg.engine.Tensor;

/** The recorded backward step of one op: its inputs and how to turn dL/dout into dL/dinput. */
public record GradFn(String op, Tensor[] inputs, Backward backward) {

    /** Returns one gradient per input (null where an input needs none), each of that input's shape. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOut);
    }
}
