package dev.maskseg.engine.autograd;

import dev.maskseg.engine.Tensor;

/**
 * The recorded backward step of one op. It points at the nodes its gradients flow into — each input's own GradFn, or
 * the input itself when it is a leaf — never at non-leaf input tensors, so an activation's storage lives only as long
 * as a backward step saved it (as in PyTorch, where the graph holds nodes and saved tensors, not the tensors produced).
 * The backward closure, with the tensors it saved, is dropped once the sweep has run it.
 */
public final class GradFn {
    /** Returns one gradient per input (null where an input needs none), each of that input's shape. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOut);
    }

    private final String op;
    private final Object[] next;
    private final int[][] inputShapes;
    private Backward backward;

    GradFn(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.backward = backward;
        next = new Object[inputs.length];
        inputShapes = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null || !in.requiresGrad()) continue;
            next[i] = in.gradFn() != null ? in.gradFn() : in;
            inputShapes[i] = in.shape();
        }
    }

    public String op() { return op; }

    /** Per input: its GradFn, the leaf tensor, or null when it needs no gradient. */
    Object[] next() { return next; }

    int[] inputShape(int i) { return inputShapes[i]; }

    Tensor[] apply(Tensor gradOut) {
        Backward b = backward;
        if (b == null) {
            throw new IllegalStateException("backward through " + op + " a second time: its saved tensors were freed after the first "
                    + "backward; run the forward again");
        }
        return b.apply(gradOut);
    }

    /** Drops the closure and what it saved. */
    void release() { backward = null; }
}
