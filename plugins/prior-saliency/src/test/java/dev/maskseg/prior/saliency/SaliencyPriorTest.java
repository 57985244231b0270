package dev.maskseg.prior.saliency;

import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;
import dev.maskseg.prior.Priors;
import dev.maskseg.prior.SaliencyMasks;
import dev.maskseg.prior.image.Rgb;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaliencyPriorTest {
    /**
     * One textured ellipse on a textured background: two-tone stripes, noise and a few patches of random colour
     * anchored at the image border; the object's colour comes from the same distribution as theirs and it never
     * touches the border.
     */
    static BufferedImage scene(Random r, int w, int h, byte[] truth) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double cx = w * (0.35 + 0.3 * r.nextDouble()), cy = h * (0.35 + 0.3 * r.nextDouble());
        double a = w * (0.12 + 0.1 * r.nextDouble()), b = h * (0.12 + 0.1 * r.nextDouble()), rot = r.nextDouble() * Math.PI;
        int[] bg1 = colour(r), fg = colour(r);
        int[] bg2 = {bg1[0] + 30, bg1[1] + 25, bg1[2] + 20};
        int patches = 3 + r.nextInt(3);
        int[][] patch = new int[patches][];
        for (int k = 0; k < patches; k++) {
            int pw = w / 8 + r.nextInt(w / 5), ph = h / 8 + r.nextInt(h / 5);
            int side = r.nextInt(4);
            int px = side == 0 ? 0 : side == 1 ? w - pw : r.nextInt(w - pw), py = side == 2 ? 0 : side == 3 ? h - ph : r.nextInt(h - ph);
            int[] c = colour(r);
            patch[k] = new int[]{px, py, pw, ph, c[0], c[1], c[2]};
        }
        double freq = 0.15 + 0.2 * r.nextDouble();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = x - cx, dy = y - cy;
                double u = (dx * Math.cos(rot) + dy * Math.sin(rot)) / a, v = (-dx * Math.sin(rot) + dy * Math.cos(rot)) / b;
                boolean in = u * u + v * v <= 1;
                truth[y * w + x] = (byte) (in ? 1 : 0);
                int[] c = in ? fg : (Math.sin(freq * (x + 0.5 * y)) > 0 ? bg1 : bg2);
                if (!in) {
                    for (int[] q : patch) if (x >= q[0] && x < q[0] + q[2] && y >= q[1] && y < q[1] + q[3]) c = new int[]{q[4], q[5], q[6]};
                }
                int noise = (int) (r.nextGaussian() * 18);
                int rgb = 0;
                for (int ch = 0; ch < 3; ch++) rgb = (rgb << 8) | Math.max(0, Math.min(255, c[ch] + noise + (in ? (int) (15 * Math.sin(0.5 * x)) : 0)));
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static int[] colour(Random r) { return new int[]{30 + r.nextInt(196), 30 + r.nextInt(196), 30 + r.nextInt(196)}; }

    static double meanIou(String prior, int images) throws Exception {
        MaskPrior p = Priors.get(prior, Priors.class.getClassLoader());
        Random r = new Random(42);
        int w = 200, h = 150;
        double sum = 0;
        for (int i = 0; i < images; i++) {
            byte[] truth = new byte[w * h];
            BufferedImage img = scene(r, w, h, truth);
            PriorResult res = p.run(img, PriorParams.resolve(p, Map.of()), new PriorContext());
            if (res.masks().isEmpty()) continue; // a dropped image scores 0
            byte[] m = res.masks().get(0).pixels();
            long inter = 0, union = 0;
            for (int k = 0; k < m.length; k++) {
                inter += m[k] & truth[k];
                union += m[k] | truth[k];
            }
            sum += (double) inter / union;
        }
        return sum / images;
    }

    @Test
    void oneOfTheSaliencyPriorsFindsTheObject() throws Exception {
        double mb = meanIou("mbplus", 12), rbd = meanIou("rbd", 12);
        System.out.printf("saliency mean IoU on 12 generated scenes: mbplus %.3f, rbd %.3f%n", mb, rbd);
        assertTrue(Math.max(mb, rbd) >= 0.6, "mbplus " + mb + ", rbd " + rbd);
        assertTrue(Math.min(mb, rbd) > 0.2, "both priors do better than chance: mbplus " + mb + ", rbd " + rbd);
    }

    /** A flat image has no salient object: both priors drop it (RBD's neighbour sigma is 0 there, which made its system singular). */
    @Test
    void flatImagesAreDroppedNotAnError() throws Exception {
        for (int rgb : new int[]{0x000000, 0x808080, 0xFFFFFF, 0x3366CC}) {
            BufferedImage img = new BufferedImage(120, 90, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 90; y++) for (int x = 0; x < 120; x++) img.setRGB(x, y, rgb);
            for (String name : new String[]{"rbd", "mbplus"}) {
                MaskPrior p = Priors.get(name, getClass().getClassLoader());
                PriorResult r = p.run(img, PriorParams.resolve(p, Map.of()), new PriorContext());
                assertTrue(r.masks().isEmpty(), name + " on flat " + Integer.toHexString(rgb) + ": " + r.masks().size() + " masks");
            }
            float[] s = Rbd.saliency(Rgb.pixels(img), 120, 90);
            for (float v : s) assertEquals(0f, v, "rbd saliency of a flat image is 0 everywhere");
        }
        assertEquals(1.0, Rbd.gaussian(0, 0));
        assertEquals(0.0, Rbd.gaussian(0.5, 0));
        assertEquals(Math.exp(-0.5), Rbd.gaussian(2, 2), 1e-15);
    }

    @Test
    void postprocessingFillsHolesOnRequestAndDropsSmallRegions() {
        int w = 20, h = 20;
        float[] s = new float[w * h];
        for (int y = 2; y < 12; y++) for (int x = 2; x < 12; x++) s[y * w + x] = 0.9f; // 10x10 square...
        for (int y = 5; y < 8; y++) for (int x = 5; x < 8; x++) s[y * w + x] = 0.1f;  // ...with a 3x3 hole
        s[18 * w + 18] = 0.9f; // 1 px: 0.25% of the image
        PriorResult.Mask m = SaliencyMasks.postprocess(s, w, h, SaliencyMasks.Holes.FILL);
        assertEquals(100, m.area(), "hole filled, the speck dropped");
        assertTrue(m.get(6, 6));
        assertTrue(!m.get(18, 18));
        float[] tiny = new float[w * h];
        tiny[0] = tiny[1] = tiny[2] = 1; // 3 px < 1% of 400
        assertNull(SaliencyMasks.postprocess(tiny, w, h), "image dropped");
    }

    /**
     * The official rule on a 40x40 map (1% = 16 px): a 20x20 region with a 1-px hole, a 3x3 hole and, inside a 6x6 hole,
     * a 2x2 island. Holes stay; the 1-px hole's filled contour (the hole and its 4 border pixels, 5 px) is under 1% and
     * is zeroed; the 3x3 one (9 + 12 = 21 px) and the 6x6 one (36 + 24) are not; the island (4 px) is zeroed; a 1-px
     * speck is zeroed.
     */
    @Test
    void postprocessingKeepsHolesAndZeroesSmallContoursAsTheOfficialCode() {
        int w = 40, h = 40;
        float[] s = new float[w * h];
        for (int y = 2; y < 22; y++) for (int x = 2; x < 22; x++) s[y * w + x] = 0.9f;
        s[5 * w + 5] = 0.1f;
        for (int y = 8; y < 11; y++) for (int x = 5; x < 8; x++) s[y * w + x] = 0.1f;
        for (int y = 12; y < 18; y++) for (int x = 12; x < 18; x++) s[y * w + x] = 0.1f;
        for (int y = 14; y < 16; y++) for (int x = 14; x < 16; x++) s[y * w + x] = 0.9f;
        s[35 * w + 35] = 0.9f;
        PriorResult.Mask m = SaliencyMasks.postprocess(s, w, h);
        assertEquals(400 - 5 - 9 - 36, m.area(), "the holes stay, the 1-px hole widens to 5 px, the island and the speck go");
        assertTrue(!m.get(5, 5) && !m.get(4, 5) && !m.get(6, 5) && !m.get(5, 4) && !m.get(5, 6), "1-px hole plus its 4-neighbours");
        assertTrue(m.get(4, 4), "diagonal neighbours of the small hole stay");
        assertTrue(!m.get(6, 9) && m.get(4, 9), "the 3x3 hole stays as it is");
        assertTrue(!m.get(14, 14) && !m.get(35, 35), "island inside a hole and the speck are under 1%");
        assertEquals(SaliencyMasks.Holes.FILL, SaliencyMasks.Holes.parse("fill"));
    }

    @Test
    void reconstructionMatchesIteratedGeodesicDilation() {
        Random r = new Random(3);
        int w = 31, h = 17;
        int[] mask = new int[w * h], marker = new int[w * h];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = r.nextInt(256);
            marker[i] = Math.max(0, mask[i] - r.nextInt(200));
        }
        int[] slow = marker.clone();
        for (int changed = 1; changed > 0; ) {
            int[] d = Morphology.squareFilter(slow, w, h, 3, false);
            changed = 0;
            for (int i = 0; i < d.length; i++) {
                int v = Math.min(d[i], mask[i]);
                if (v != slow[i]) changed++;
                slow[i] = v;
            }
        }
        assertArrayEquals(slow, Morphology.reconstructByDilation(marker, mask, w, h));
    }

    @Test
    void barrierDistanceOfAConstantImageIsZeroAndOfAPeakIsItsHeight() {
        int w = 9, h = 9;
        int[] img = new int[w * h];
        float[] d = MbPlus.barrier(img, w, h);
        for (float v : d) assertEquals(0f, v);
        img[4 * w + 4] = 100;
        d = MbPlus.barrier(img, w, h);
        assertEquals(100f, d[4 * w + 4]);
        assertEquals(0f, d[3 * w + 4]);
    }
}
