package dev.maskseg.prior.superpixels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;
import dev.maskseg.prior.Priors;
import dev.maskseg.prior.image.Rgb;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our SLIC and Felzenszwalb against scikit-image's scores on the images of tools/gen_superpixel_fixtures.py. */
class SuperpixelReferenceTest {
    private static BufferedImage image(String name) throws Exception {
        try (InputStream in = SuperpixelReferenceTest.class.getResourceAsStream("/superpixels/" + name + ".png")) {
            return ImageIO.read(in);
        }
    }

    @Test
    void withinTenPercentOfScikitImage() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(SuperpixelReferenceTest.class.getResourceAsStream("/superpixels/reference.json"));
        JsonNode slic = ref.at("/params/slic"), fz = ref.at("/params/felzenszwalb");
        double[] ours = new double[4], theirs = new double[4];
        int n = ref.get("images").size();
        for (JsonNode r : ref.get("images")) {
            BufferedImage img = image(r.get("name").asText());
            int w = img.getWidth(), h = img.getHeight();
            int[] gt = gray(image(r.get("name").asText() + "_gt"));
            int[] rgb = Rgb.pixels(img);
            int[] a = Slic.segment(rgb, w, h, slic.get("segments").asInt(), slic.get("compactness").asDouble(), slic.get("iterations").asInt());
            int[] b = Felzenszwalb.segment(rgb, w, h, fz.get("scale").asDouble(), fz.get("sigma").asDouble(), fz.get("min_size").asInt());
            ours[0] += SuperpixelMetrics.boundaryRecall(a, gt, w, h, 2) / n;
            ours[1] += SuperpixelMetrics.undersegmentation(a, gt) / n;
            ours[2] += SuperpixelMetrics.boundaryRecall(b, gt, w, h, 2) / n;
            ours[3] += SuperpixelMetrics.undersegmentation(b, gt) / n;
            theirs[0] += r.at("/slic/br").asDouble() / n;
            theirs[1] += r.at("/slic/ue").asDouble() / n;
            theirs[2] += r.at("/felzenszwalb/br").asDouble() / n;
            theirs[3] += r.at("/felzenszwalb/ue").asDouble() / n;
        }
        System.out.printf("slic BR %.4f (skimage %.4f) UE %.4f (%.4f); felzenszwalb BR %.4f (%.4f) UE %.4f (%.4f)%n",
                ours[0], theirs[0], ours[1], theirs[1], ours[2], theirs[2], ours[3], theirs[3]);
        for (int i = 0; i < 4; i += 2) {
            assertTrue(ours[i] >= 0.9 * theirs[i], "boundary recall " + ours[i] + " vs scikit-image " + theirs[i]);
            // under-segmentation: within 10% of theirs, with half a pixel per 1000 of slack for near-zero errors
            assertTrue(ours[i + 1] <= 1.1 * theirs[i + 1] + 5e-4, "under-segmentation " + ours[i + 1] + " vs scikit-image " + theirs[i + 1]);
        }
    }

    @Test
    void metricsOnKnownCases() {
        int[] gt = {0, 0, 1, 1, 0, 0, 1, 1};
        assertEquals(1.0, SuperpixelMetrics.boundaryRecall(gt, gt, 4, 2, 0));
        assertEquals(0.0, SuperpixelMetrics.undersegmentation(gt, gt));
        int[] one = new int[8];
        assertEquals(0.0, SuperpixelMetrics.boundaryRecall(one, gt, 4, 2, 2));
        assertEquals(1.0, SuperpixelMetrics.undersegmentation(one, gt)); // each class pays min(4, 4) = 4 of 8
    }

    @Test
    void connectivityIsEnforced() {
        int w = 40, h = 30;
        int[] rgb = new int[w * h * 3];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < rgb.length; i++) rgb[i] = r.nextInt(256);
        int[] labels = Slic.segment(rgb, w, h, 12, 10, 10);
        int k = Labels.count(labels);
        assertEquals(k, Labels.count(Labels.enforceConnectivity(labels, w, h, 1)), "every label is one 4-connected piece");
    }

    @Test
    void priorsReturnOneMaskPerRegionAndHonourMinArea() throws Exception {
        BufferedImage img = image("img0");
        var slic = Priors.get("slic", Priors.class.getClassLoader());
        PriorResult all = slic.run(img, PriorParams.resolve(slic, Map.of()), new PriorContext());
        long covered = all.masks().stream().mapToLong(PriorResult.Mask::area).sum();
        assertEquals((long) img.getWidth() * img.getHeight(), covered, "regions partition the image");
        var fz = Priors.get("felzenszwalb", Priors.class.getClassLoader());
        PriorResult big = fz.run(img, PriorParams.resolve(fz, Map.of("min_area", "0.05")), new PriorContext());
        assertTrue(!big.masks().isEmpty());
        for (PriorResult.Mask m : big.masks()) assertTrue(m.area() >= 0.05 * img.getWidth() * img.getHeight());
    }

    private static int[] gray(BufferedImage img) {
        int[] out = new int[img.getWidth() * img.getHeight()];
        img.getRaster().getPixels(0, 0, img.getWidth(), img.getHeight(), out);
        return out;
    }
}
