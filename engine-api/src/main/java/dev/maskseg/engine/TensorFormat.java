package dev.maskseg.engine;

import dev.maskseg.engine.storage.HostStorage;

/** PyTorch-like printing, eliding the middle of long dims. */
final class TensorFormat {
    private static final int EDGE = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        HostStorage h = t.toHost();
        append(sb, t, h, 0, 0, t.dim() == 0 ? 1 : 0);
        sb.append(", shape=").append(t.shapeString()).append(", dtype=").append(t.dtype());
        sb.append(", backend=").append(t.backend().name());
        if (t.requiresGrad()) sb.append(t.gradFn() != null ? ", grad_fn=" + t.gradFn().op() : ", requires_grad=true");
        return sb.append(')').toString();
    }

    private static void append(StringBuilder sb, Tensor t, HostStorage h, int dim, int base, int unused) {
        if (dim == t.dim()) {
            sb.append(t.dtype().isFloating() ? String.format("%.4f", h.get(base)) : Long.toString(h.getLong(base)));
            return;
        }
        int n = t.size(dim), inner = 1;
        for (int d = dim + 1; d < t.dim(); d++) inner *= t.size(d);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (n > 2 * EDGE && i == EDGE) {
                sb.append("..., ");
                i = n - EDGE;
            }
            append(sb, t, h, dim + 1, base + i * inner, unused);
            if (i < n - 1) sb.append(dim == t.dim() - 1 ? ", " : ",\n" + " ".repeat(8 + dim));
        }
        sb.append(']');
    }
}
