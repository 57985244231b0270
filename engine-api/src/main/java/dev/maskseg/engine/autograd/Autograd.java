package dev.maskseg.engine.autograd;

import dev.maskseg.engine.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Graph recording and the reverse sweep. */
public final class Autograd {
    private Autograd() {}

    /** Attaches a backward step to {@code out} when recording is on and an input needs a gradient. */
    public static Tensor record(String op, Tensor out, GradFn.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return out;
        boolean any = false;
        for (Tensor t : inputs) any |= t != null && t.requiresGrad();
        if (any) out.setGradFn(new GradFn(op, inputs, backward));
        return out;
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
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (var ng = GradMode.noGrad()) {
            for (Tensor t : order) {
                Tensor g = grads.remove(t);
                if (g == null) continue;
                GradFn fn = t.gradFn();
                if (fn == null) {
                    t.accumulateGrad(g);
                    continue;
                }
                Tensor[] gi = fn.backward().apply(g);
                for (int i = 0; i < fn.inputs().length; i++) {
                    Tensor in = fn.inputs()[i];
                    if (in == null || !in.requiresGrad() || gi[i] == null) continue;
                    if (!java.util.Arrays.equals(gi[i].shape(), in.shape())) {
                        throw new IllegalStateException("backward of " + fn.op() + ": gradient " + gi[i].shapeString()
                                + " for input " + i + " of shape " + in.shapeString());
                    }
                    grads.merge(in, gi[i], Tensor::add);
                }
            }
        }
    }

    /** Nodes reachable from root, root first, every node before its inputs. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> post = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[]{root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.gradFn() == null ? new Tensor[0] : t.gradFn().inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && seen.add(in)) stack.push(new Object[]{in, 0});
            } else {
                stack.pop();
                post.add(t);
            }
        }
        Collections.reverse(post);
        return post;
    }
}
