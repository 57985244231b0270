package dev.maskseg.zoo.vit;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.nn.Init;
import dev.maskseg.engine.nn.Layers;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.LayerNorm;
import dev.maskseg.engine.nn.Layers.Linear;
import dev.maskseg.engine.nn.Layers.ModuleList;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Resize;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * DINO's VisionTransformer (docs/methods.md §1.4) with its parameter names: {@code cls_token}, {@code pos_embed},
 * {@code patch_embed.proj}, {@code blocks.i.*}, {@code norm}. No classifier head.
 */
public final class VisionTransformer extends Module {
    /**
     * tokens: [B, N+1, D] after the final norm; cls: [B, D]; attnLast: [B, heads, N+1, N+1] of the last block;
     * qLast/kLast: [B, heads, N+1, headDim] before the scale; captured: the parts of the requested blocks.
     */
    public record Output(Tensor tokens, Tensor cls, Tensor attnLast, Tensor qLast, Tensor kLast,
                         Map<Integer, Attention.Parts> captured) {}

    public final ViTConfig config;
    public final Tensor clsToken, posEmbed;
    public final PatchEmbed patchEmbed;
    public final ModuleList blocks;
    public final LayerNorm norm;
    private boolean frozen;

    public VisionTransformer(ViTConfig c, Generator g) {
        config = c;
        int grid = c.grid();
        clsToken = registerParameter("cls_token", Init.truncatedNormal(g, 0.02, -2, 2, 1, 1, c.dim()));
        posEmbed = registerParameter("pos_embed", Init.truncatedNormal(g, 0.02, -2, 2, 1, grid * grid + 1, c.dim()));
        patchEmbed = registerModule("patch_embed", new PatchEmbed(c, g));
        blocks = registerModule("blocks", new ModuleList());
        for (int i = 0; i < c.depth(); i++) blocks.add(new Block(c, g));
        norm = registerModule("norm", new LayerNorm(c.dim(), 1e-6));
    }

    /**
     * Makes this model inference-only, in place, as it is for DINO's frozen features: eval mode, no parameter requires
     * grad, and every linear layer frozen (its weight packed once by the backend and reused, {@link Linear#freeze}), with
     * the same outputs. The weights must not change afterwards; loadStateDict is refused. Returns this.
     */
    public VisionTransformer freeze() {
        eval();
        for (Tensor p : parameters()) p.requiresGrad(false);
        freezeLinears(this);
        frozen = true;
        return this;
    }

    private static void freezeLinears(Module m) {
        if (m instanceof Linear linear) linear.freeze();
        for (Module child : m.children().values()) freezeLinears(child);
    }

    public boolean isFrozen() { return frozen; }

    @Override
    public LoadReport loadStateDict(Map<String, Tensor> source, boolean strict) {
        if (frozen) throw new UnsupportedOperationException(config.name() + ": " + Layers.FROZEN_WEIGHTS);
        return super.loadStateDict(source, strict);
    }

    /** The final-norm tokens. */
    @Override
    public Tensor forward(Tensor x) { return run(x, Set.of()).tokens(); }

    public Output run(Tensor x) { return run(x, Set.of()); }

    /** Full forward; the attention parts of the blocks in {@code capture} (and always the last) are kept. */
    public Output run(Tensor x, Set<Integer> capture) {
        Tensor t = prepareTokens(x);
        Map<Integer, Attention.Parts> captured = new TreeMap<>();
        Attention.Parts last = null;
        for (int i = 0; i < blocks.size(); i++) {
            Block.Result r = ((Block) blocks.get(i)).run(t);
            Block.closeIfFrozen(frozen, t);   // the previous block's output, read by this one only
            t = r.out();
            if (capture.contains(i)) captured.put(i, r.parts());
            last = r.parts();
        }
        Tensor tokens = norm.forward(t);
        return new Output(tokens, tokens.select(1, 0), last.attn(), last.q(), last.k(), captured);
    }

    /** Patch embedding, CLS prepended, interpolated positions added: [B, N+1, D]. */
    public Tensor prepareTokens(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3) {
            throw new IllegalArgumentException(config.name() + ": expected input [B,3,H,W], got " + x.shapeString());
        }
        int h = x.size(2), w = x.size(3), p = config.patch();
        if (h % p != 0 || w % p != 0) {
            throw new IllegalArgumentException(config.name() + ": input " + x.shapeString() + " must have H and W multiples of " + p);
        }
        Tensor patches = patchEmbed.forward(x);                       // [B, D, h0, w0]
        int b = x.size(0), d = config.dim();
        Tensor seq = patches.flatten(2, 3).transpose(1, 2);              // [B, N, D], row-major over the grid
        Tensor cls = clsToken.expand(b, 1, d);
        return Index.cat(List.of(cls, seq), 1).add(interpolatePosEncoding(h / p, w / p));
    }

    /** DINO's interpolate_pos_encoding: bicubic by scale (n + 0.1) / grid, class position kept. */
    public Tensor interpolatePosEncoding(int h0, int w0) {
        int grid = config.grid(), d = config.dim();
        if (h0 * w0 == grid * grid && h0 == w0) return posEmbed;
        Tensor classPos = posEmbed.narrow(1, 0, 1);
        Tensor patchPos = posEmbed.narrow(1, 1, grid * grid).reshape(1, grid, grid, d).permute(0, 3, 1, 2);
        Tensor resized = Resize.interpolateScale(patchPos, (h0 + 0.1) / grid, (w0 + 0.1) / grid, Mode.BICUBIC, false);
        if (resized.size(2) != h0 || resized.size(3) != w0) {
            throw new IllegalStateException("pos-embed interpolation gave " + resized.shapeString() + " for a " + h0 + "x" + w0 + " grid");
        }
        return Index.cat(List.of(classPos, resized.permute(0, 2, 3, 1).reshape(1, h0 * w0, d)), 1);
    }

    /** Conv2d(3, D, k = s = patch), named {@code patch_embed.proj}. */
    public static final class PatchEmbed extends Module {
        public final Conv2d proj;

        PatchEmbed(ViTConfig c, Generator g) {
            proj = registerModule("proj", new Conv2d(3, c.dim(), c.patch(), c.patch(), 0, 1, 1, true, g));
        }

        @Override
        public Tensor forward(Tensor x) { return proj.forward(x); }
    }
}
