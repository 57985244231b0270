package dev.maskseg.zoo.vit;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Layers.Linear;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Norm;

/** DINO multi-head self-attention: qkv [q | k | v] with head-major channels, softmax(q kᵀ · scale) v, proj. */
public final class Attention extends Module {
    /** Per-head projections [B, heads, N, headDim] (q and k before the scale) and the softmax attention. */
    public record Parts(Tensor q, Tensor k, Tensor v, Tensor attn) {}

    private final int heads;
    private final double scale;
    public final Linear qkv, proj;

    public Attention(ViTConfig c, Generator g) {
        heads = c.heads();
        scale = c.scale();
        qkv = registerModule("qkv", new Linear(c.dim(), 3 * c.dim(), true, g));
        proj = registerModule("proj", new Linear(c.dim(), c.dim(), true, g));
    }

    @Override
    public Tensor forward(Tensor x) { return project(parts(x)); }

    public Parts parts(Tensor x) {
        int b = x.size(0), n = x.size(1), d = x.size(2);
        Tensor qkv5 = qkv.forward(x).reshape(b, n, 3, heads, d / heads).permute(2, 0, 3, 1, 4);
        Tensor q = qkv5.select(0, 0), k = qkv5.select(0, 1), v = qkv5.select(0, 2);
        Tensor scores = q.matmul(k.transpose(-2, -1)), scaled = scores.mul(scale), attn = Norm.softmax(scaled, -1);
        Block.closeIfFrozen(qkv.isFrozen(), scores, scaled);
        return new Parts(q, k, v, attn);
    }

    public Tensor project(Parts p) {
        Tensor out = p.attn().matmul(p.v());
        int b = out.size(0), n = out.size(2);
        Tensor merged = out.transpose(1, 2).reshape(b, n, heads * out.size(3)), projected = proj.forward(merged);
        Block.closeIfFrozen(proj.isFrozen(), out, merged);   // the reshape of the transpose copied out
        return projected;
    }
}
