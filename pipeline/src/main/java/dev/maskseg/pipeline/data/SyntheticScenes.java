package dev.maskseg.pipeline.data;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.engine.io.HeapBudget;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.zoo.image.ImageEncoder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The procedural dataset of docs/design.md §6 in PASCAL VOC layout: 1–3 objects per image from four categories that
 * differ in shape and texture (a ringed disc, a checkered box, a striped triangle, a dotted cross), each with a
 * random colour, scale, rotation and position, over a cluttered textured background (smooth colour field, random
 * lines, speckles, noise). Label 0 is background; later objects occlude earlier ones. Each scene also has an object
 * map (VOC's {@code SegmentationObject}): 0 background, 1..n the objects in the order they were drawn, over the
 * pixels where each one is visible (no 255 boundary band). Seeded: the same seed gives the same files.
 */
public final class SyntheticScenes {
    public static final List<String> CLASSES = List.of("background", "disc", "box", "triangle", "cross");

    private SyntheticScenes() {}

    /** {@code label}: class per pixel; {@code objects}: 1-based object index per pixel (0 background). */
    public record Scene(BufferedImage image, byte[] label, byte[] objects) {}

    /** The smallest and largest image side (larger images would exceed what {@link dev.maskseg.zoo.image.ImageDecoder} reads back). */
    public static final int MIN_SIZE = 16, MAX_SIZE = 16384;
    /** Heap per pixel while a scene is generated and encoded (float RGB, the image, its label and the encodings). */
    private static final int BYTES_PER_PIXEL = 32;

    private static void checkHeap(int size) throws IOException {
        HeapBudget.require((long) size * size * BYTES_PER_PIXEL, "a generated " + size + "x" + size + " scene");
    }

    /** Refuses a count or side the dataset cannot have. */
    public static void checkSize(int images, int size) {
        if (images < 2) throw new IllegalArgumentException("need at least 2 images (80% train, the rest val), got " + images);
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("the image side must be in [" + MIN_SIZE + ", " + MAX_SIZE + "] pixels, got " + size);
        }
    }

    /**
     * {@code maskseg make-dataset}: {@link #write} into a folder claimed through {@link RunFolder} (new or empty; one that
     * holds another dataset, a run or other files only with {@link RunFolder.Mode#OVERWRITE}), recorded as finished.
     */
    public static void make(Path root, int images, int size, long seed, RunFolder.Mode mode, StageListener listener) throws IOException {
        checkSize(images, size);
        checkHeap(size);
        RunFolder folder = RunFolder.claimNew(root, "make-dataset", Map.of("images", Integer.toString(images), "size", Integer.toString(size),
                "seed", Long.toString(seed)), mode == RunFolder.Mode.OVERWRITE);
        write(root, images, size, seed, listener);
        folder.finish(Map.of("images", images, "size", size, "seed", seed, "classes", CLASSES));
    }

    /** Writes JPEGImages/, SegmentationClass/, SegmentationObject/ and ImageSets/Segmentation/{train,val,trainval}.txt; 80% train. */
    public static void write(Path root, int images, int size, long seed) throws IOException {
        write(root, images, size, seed, StageListener.NONE);
    }

    /** As {@link #write(Path, int, int, long)}, reporting each scene to {@code listener} (task "generate scenes"). */
    public static void write(Path root, int images, int size, long seed, StageListener listener) throws IOException {
        checkSize(images, size);
        checkHeap(size);
        Path jpeg = Files.createDirectories(root.resolve("JPEGImages")), labels = Files.createDirectories(root.resolve("SegmentationClass"));
        Path objects = Files.createDirectories(root.resolve("SegmentationObject"));
        Path sets = Files.createDirectories(root.resolve("ImageSets/Segmentation"));
        List<String> train = new ArrayList<>(), val = new ArrayList<>();
        int nTrain = Math.max(1, (int) Math.round(images * 0.8));
        try (StageListener.Task task = listener.task("generate scenes", images, "images")) {
            for (int i = 0; i < images; i++) {
                writeScene(jpeg, labels, objects, i, size, seed);
                (i < nTrain ? train : val).add(String.format("scene_%05d", i));
                task.step();
            }
        }
        List<String> all = new ArrayList<>(train);
        all.addAll(val);
        AtomicFiles.write(sets.resolve("train.txt"), out -> out.write((String.join("\n", train) + "\n").getBytes()));
        AtomicFiles.write(sets.resolve("val.txt"), out -> out.write((String.join("\n", val) + "\n").getBytes()));
        AtomicFiles.write(sets.resolve("trainval.txt"), out -> out.write((String.join("\n", all) + "\n").getBytes()));
    }

    private static void writeScene(Path jpeg, Path labels, Path objects, int i, int size, long seed) throws IOException {
        String id = String.format("scene_%05d", i);
        Scene s = generate(size, size, new SplittableRandom(seed * 1_000_003L + i));
        ImageEncoder.writeJpeg(jpeg.resolve(id + ".jpg"), s.image(), 0.95f);
        BufferedImage lab = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        lab.getRaster().setDataElements(0, 0, size, size, s.label());
        ImageEncoder.writePng(labels.resolve(id + ".png"), lab);
        BufferedImage obj = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        obj.getRaster().setDataElements(0, 0, size, size, s.objects());
        ImageEncoder.writePng(objects.resolve(id + ".png"), obj);
    }

    public static Scene generate(int w, int h, SplittableRandom r) {
        float[] rgb = background(w, h, r);
        byte[] label = new byte[w * h], objectIds = new byte[w * h];
        double count = r.nextDouble();
        int objects = count < 0.6 ? 1 : count < 0.9 ? 2 : 3;
        for (int o = 0; o < objects; o++) {
            int cls = 1 + r.nextInt(4);
            double scale = Math.min(w, h) * (0.25 + 0.2 * r.nextDouble());
            double cx = scale * 0.7 + r.nextDouble() * (w - 1.4 * scale), cy = scale * 0.7 + r.nextDouble() * (h - 1.4 * scale);
            double rot = r.nextDouble() * Math.PI * 2;
            double hue = CLASS_HUES[cls - 1] + 0.1 * (r.nextDouble() - 0.5), sat = 0.6 + 0.3 * r.nextDouble(), val = 0.55 + 0.35 * r.nextDouble();
            float[] base = hsv(hue, sat, val), alt = hsv(hue, sat * 0.6, val > 0.72 ? val - 0.4 : val + 0.3);
            double period = 0.25 + 0.1 * r.nextDouble();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double dx = x - cx, dy = y - cy;
                    double u = (dx * Math.cos(rot) + dy * Math.sin(rot)) / scale, v = (-dx * Math.sin(rot) + dy * Math.cos(rot)) / scale;
                    if (!inside(cls, u, v)) continue;
                    boolean second = switch (cls) {
                        case 1 -> Math.hypot(u, v) > 0.48;                                               // flat with a rim
                        case 2 -> (Math.floorMod((int) Math.floor(u / period * 1.5), 2) ^ Math.floorMod((int) Math.floor(v / period * 1.5), 2)) == 0; // checker
                        case 3 -> Math.floorMod((int) Math.floor((u + v) / period * 2), 2) == 0;          // stripes
                        default -> {                                                                   // dots
                            double gu = u / period * 2, gv = v / period * 2;
                            yield Math.hypot(gu - Math.floor(gu) - 0.5, gv - Math.floor(gv) - 0.5) < 0.28;
                        }
                    };
                    float[] c = second ? alt : base;
                    for (int ch = 0; ch < 3; ch++) rgb[3 * (y * w + x) + ch] = c[ch];
                    label[y * w + x] = (byte) cls;
                    objectIds[y * w + x] = (byte) (o + 1);
                }
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < w * h; i++) {
            int px = 0;
            for (int ch = 0; ch < 3; ch++) {
                double v = rgb[3 * i + ch] + 0.04 * gaussian(r);
                px = (px << 8) | (int) Math.max(0, Math.min(255, Math.round(v * 255)));
            }
            img.setRGB(i % w, i / w, px);
        }
        return new Scene(img, label, objectIds);
    }

    /** Shapes in object coordinates (unit = the object's scale). */
    private static boolean inside(int cls, double u, double v) {
        return switch (cls) {
            case 1 -> u * u + v * v <= 0.36;
            case 2 -> Math.abs(u) <= 0.5 && Math.abs(v) <= 0.5;
            case 3 -> v <= 0.45 && Math.abs(u) <= 0.55 * (v + 0.6) / 1.05; // apex at v = -0.6, base half-width 0.55
            default -> (Math.abs(u) <= 0.17 && Math.abs(v) <= 0.62) || (Math.abs(v) <= 0.17 && Math.abs(u) <= 0.62);
        };
    }

    /** A smooth colour field from four corner colours, random thin lines and speckles. */
    private static float[] background(int w, int h, SplittableRandom r) {
        float[][] corner = {muted(r), muted(r), muted(r), muted(r)};
        float[] rgb = new float[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double a = (double) x / (w - 1), b = (double) y / (h - 1);
                for (int c = 0; c < 3; c++) {
                    rgb[3 * (y * w + x) + c] = (float) (corner[0][c] * (1 - a) * (1 - b) + corner[1][c] * a * (1 - b)
                            + corner[2][c] * (1 - a) * b + corner[3][c] * a * b);
                }
            }
        }
        int lines = 3 + r.nextInt(5);
        for (int l = 0; l < lines; l++) {
            float[] c = colour(r);
            double x0 = r.nextDouble() * w, y0 = r.nextDouble() * h, ang = r.nextDouble() * Math.PI, len = (0.3 + 0.7 * r.nextDouble()) * w;
            for (double t = 0; t < len; t += 0.5) {
                int x = (int) (x0 + t * Math.cos(ang)), y = (int) (y0 + t * Math.sin(ang));
                if (x < 0 || y < 0 || x >= w || y >= h) continue;
                for (int ch = 0; ch < 3; ch++) rgb[3 * (y * w + x) + ch] = c[ch];
            }
        }
        int speckles = w * h / 60;
        for (int s = 0; s < speckles; s++) {
            int x = r.nextInt(w - 1), y = r.nextInt(h - 1);
            float shade = (float) (r.nextDouble() * 0.3 - 0.15);
            for (int dy = 0; dy < 2; dy++) for (int dx = 0; dx < 2; dx++) for (int ch = 0; ch < 3; ch++) rgb[3 * ((y + dy) * w + x + dx) + ch] += shade;
        }
        return rgb;
    }

    /** Object colours: a hue within ±0.05 of the class's own (classes 0.25 apart), strong saturation. */
    private static final double[] CLASS_HUES = {0.0, 0.5, 0.25, 0.75};

    /** Background colours: any hue, low saturation. */
    private static float[] muted(SplittableRandom r) {
        return hsv(r.nextDouble(), 0.35 * r.nextDouble(), 0.25 + 0.65 * r.nextDouble());
    }

    static float[] hsv(double h, double s, double v) {
        double[] rgb = Transforms.hsvToRgb(h, s, v);
        return new float[]{(float) rgb[0], (float) rgb[1], (float) rgb[2]};
    }

    private static float[] colour(SplittableRandom r) {
        return new float[]{(float) (0.1 + 0.8 * r.nextDouble()), (float) (0.1 + 0.8 * r.nextDouble()), (float) (0.1 + 0.8 * r.nextDouble())};
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
