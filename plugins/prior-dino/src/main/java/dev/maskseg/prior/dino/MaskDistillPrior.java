package dev.maskseg.prior.dino;

import com.google.auto.service.AutoService;
import dev.maskseg.engine.Tensor;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;
import dev.maskseg.prior.image.PillowResize;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * MaskDistill's object mask (docs/methods.md §3.2): shorter side resized to 640, CLS affinity q_cls·k_j averaged over
 * heads 0..heads-1, mass threshold 0.5 applied multiplicatively, the top 40% as proposals with the arg-max as the
 * source, diffusion over the summed key affinities, the 4-connected component of the source, nearest upsampling,
 * cropped and resized to the original size with Pillow's bicubic on a 0/255 image, then {@code > 0}.
 */
@AutoService(MaskPrior.class)
public final class MaskDistillPrior implements MaskPrior {
    @Override public String name() { return "maskdistill"; }

    @Override public String description() { return "MaskDistill top-k affinity diffusion on DINO ViT q/k"; }

    @Override
    public List<PriorParam> params() {
        return VitSession.with(new PriorParam("topk", "0.4", "fraction of patches proposed"),
                new PriorParam("heads", "5", "CLS affinity averaged over heads 0..heads-1"),
                new PriorParam("resize", "640", "shorter side before the ViT (0 = none)"));
    }

    @Override
    public PriorResult run(BufferedImage image, PriorParams p, PriorContext ctx) throws Exception {
        double topk = p.number("topk");
        int heads = p.integer("heads");
        if (!(topk > 0 && topk <= 1)) throw new IllegalArgumentException("topk must be in (0, 1], got " + topk);
        VitSession.Forward f = VitSession.forward(VitSession.load(p, ctx), image, p.integer("resize"));
        boolean[] grid = patchMask(f, heads, topk);
        byte[] resized = PatchMasks.upsample(grid, f.cols(), f.patch(), f.resizedW(), f.resizedH());
        return PriorResult.of(new PriorResult.Mask(image.getWidth(), image.getHeight(),
                toOriginal(resized, f.resizedW(), f.resizedH(), image.getWidth(), image.getHeight()), 1.0));
    }

    static boolean[] patchMask(VitSession.Forward f, int heads, double topk) {
        Tensor q = f.out().qLast().select(0, 0), k = f.out().kLast().select(0, 0);   // [H, N+1, d]
        if (heads < 1 || heads > q.size(0)) throw new IllegalArgumentException("heads must be in 1.." + q.size(0) + ", got " + heads);
        int n = f.patches();
        float[] affinity = q.narrow(1, 0, 1).matmul(k.transpose(1, 2)).toFloatArray();  // [H, 1, N+1]
        float[] a = new float[n];
        for (int h = 0; h < heads; h++) for (int j = 0; j < n; j++) a[j] += affinity[h * (n + 1) + j + 1];
        for (int j = 0; j < n; j++) a[j] /= heads;
        boolean[] kept = PatchMasks.massThreshold(a, 0.5);
        for (int j = 0; j < n; j++) if (!kept[j]) a[j] = 0;
        int[] proposals = PatchMasks.topk(a, (int) Math.floor(topk * n));
        if (proposals.length == 0) return new boolean[n];
        int source = proposals[0];
        float[] g = PatchMasks.gram(VitSession.patchKeys(f));
        float[] d = new float[n];
        for (int i : proposals) {
            if (g[source * n + i] > 0) for (int j = 0; j < n; j++) d[j] += g[i * n + j];
        }
        boolean[] b = new boolean[n];
        for (int j = 0; j < n; j++) b[j] = d[j] > 0;
        return PatchMasks.componentOf(b, f.rows(), f.cols(), source);
    }

    /** Pillow bicubic resize of the 0/255 mask, then > 0 (a slight dilation, as the official code). */
    static byte[] toOriginal(byte[] mask, int w, int h, int ow, int oh) {
        int[] v = new int[mask.length];
        for (int i = 0; i < v.length; i++) v[i] = mask[i] * 255;
        int[] r = PillowResize.resize(v, w, h, 1, ow, oh, PillowResize.Filter.BICUBIC);
        byte[] out = new byte[r.length];
        for (int i = 0; i < r.length; i++) out[i] = (byte) (r[i] > 0 ? 1 : 0);
        return out;
    }
}
