package dev.maskseg.zoo.vit;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Layers.GELU;
import dev.maskseg.engine.nn.Layers.LayerNorm;
import dev.maskseg.engine.nn.Layers.Linear;
import dev.maskseg.engine.nn.Module;

/** Pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x)). */
public final class Block extends Module {
    /** The block's output and its attention parts. */
    public record Result(Tensor out, Attention.Parts parts) {}

    public final LayerNorm norm1, norm2;
    public final Attention attn;
    public final Mlp mlp;

    public Block(ViTConfig c, Generator g) {
        norm1 = registerModule("norm1", new LayerNorm(c.dim(), 1e-6));
        attn = registerModule("attn", new Attention(c, g));
        norm2 = registerModule("norm2", new LayerNorm(c.dim(), 1e-6));
        mlp = registerModule("mlp", new Mlp(c, g));
    }

    @Override
    public Tensor forward(Tensor x) { return run(x).out(); }

    public Result run(Tensor x) {
        boolean frozen = attn.qkv.isFrozen();
        Tensor n1 = norm1.forward(x);
        Attention.Parts p = attn.parts(n1);
        Tensor projected = attn.project(p), y = x.add(projected);
        Tensor n2 = norm2.forward(y), m = mlp.forward(n2), out = y.add(m);
        closeIfFrozen(frozen, n1, projected, n2, y, m);
        return new Result(out, p);
    }

    /**
     * A frozen model (VisionTransformer#freeze) records nothing, so its temporaries go back to the buffer pool once read
     * and the next one of their size reuses a buffer still in cache instead of a fresh zeroed array.
     */
    static void closeIfFrozen(boolean frozen, Tensor... temporaries) {
        if (frozen) for (Tensor t : temporaries) t.close();
    }

    /** fc1 → GELU → fc2, with DINO's names ({@code mlp.fc1}, {@code mlp.fc2}). */
    public static final class Mlp extends Module {
        private static final GELU GELU = new GELU();
        public final Linear fc1, fc2;

        Mlp(ViTConfig c, Generator g) {
            fc1 = registerModule("fc1", new Linear(c.dim(), c.mlpHidden(), true, g));
            fc2 = registerModule("fc2", new Linear(c.mlpHidden(), c.dim(), true, g));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = fc1.forward(x), a = GELU.forward(h), out = fc2.forward(a);
            closeIfFrozen(fc1.isFrozen(), h, a);
            return out;
        }
    }
}
