package dev.maskseg.engine.autograd;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.storage.HostStorage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graph recording and the reverse sweep. The graph's nodes are {@link GradFn}s and leaf tensors; each GradFn is run
 * once all gradients flowing into it are summed, then released, so the tensors it saved can be collected while the
 * sweep goes on (a second backward through the same graph is an error, as PyTorch's without retain_graph).
 */
public final class Autograd {
    private Autograd() {}

    /** Attaches a backward step to {@code out} when recording is on and an input needs a gradient. */
    public static Tensor record(String op, Tensor out, GradFn.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return out;
        boolean any = false;
        for (Tensor t : inputs) any |= t != null && t.requiresGrad();
        if (!any) return out;
        out.setGradFn(new GradFn(op, inputs, backward));
        // a backward step may read any of them; Tensor.close must not hand their buffers to another tensor
        pin(out);
        for (Tensor t : inputs) if (t != null) pin(t);
        return out;
    }

    /**
     * For a backward step that also reads tensors besides its inputs and output (a loss weight, eval-mode running
     * statistics, a where mask): keeps their buffers from reuse, as {@link #record} does for inputs and output, when
     * out got a backward step. Returns out.
     */
    public static Tensor alsoSaved(Tensor out, Tensor... saved) {
        if (out.gradFn() == null) return out;
        for (Tensor t : saved) if (t != null) pin(t);
        return out;
    }

    private static void pin(Tensor t) {
        if (t.storage() instanceof HostStorage h) h.pin();
    }

    /** Runs the backward sweep from root with the given seed gradient, accumulating into leaves' .grad. */
    public static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: tensor " + root.shapeString() + " does not require grad");
        }
        if (!java.util.Arrays.equals(seed.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: gradient shape " + seed.shapeString()
                    + " does not match tensor shape " + root.shapeString());
        }
        Object start = root.gradFn() != null ? root.gradFn() : root;
        List<Object> order = topologicalOrder(start);
        Map<Object, Tensor> grads = new IdentityHashMap<>();
        grads.put(start, seed);
        try (var ng = GradMode.noGrad()) {
            for (int n = 0; n < order.size(); n++) {
                Object node = order.get(n);
                order.set(n, null);
                Tensor g = grads.remove(node);
                if (g == null) continue;
                if (node instanceof Tensor leaf) {
                    leaf.accumulateGrad(g);
                    continue;
                }
                GradFn fn = (GradFn) node;
                Tensor[] gi = fn.apply(g);
                g = null;
                fn.release();
                Object[] next = fn.next();
                for (int i = 0; i < next.length; i++) {
                    if (next[i] == null || gi[i] == null) continue;
                    if (!java.util.Arrays.equals(gi[i].shape(), fn.inputShape(i))) {
                        throw new IllegalStateException("backward of " + fn.op() + ": gradient " + gi[i].shapeString()
                                + " for input " + i + " of shape " + java.util.Arrays.toString(fn.inputShape(i)));
                    }
                    grads.merge(next[i], gi[i], Tensor::add);
                    gi[i] = null;
                }
            }
        }
    }

    /** Nodes reachable from start, start first, every node before the nodes it feeds gradients into. */
    private static List<Object> topologicalOrder(Object start) {
        List<Object> post = new ArrayList<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[]{start, 0});
        seen.add(start);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Object[] next = frame[0] instanceof GradFn fn ? fn.next() : new Object[0];
            int i = (Integer) frame[1];
            if (i < next.length) {
                frame[1] = i + 1;
                Object in = next[i];
                if (in != null && seen.add(in)) stack.push(new Object[]{in, 0});
            } else {
                stack.pop();
                post.add(frame[0]);
            }
        }
        Collections.reverse(post);
        return post;
    }
}
