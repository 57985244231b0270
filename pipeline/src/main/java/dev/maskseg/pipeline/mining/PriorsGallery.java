package dev.maskseg.pipeline.mining;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.data.Overlays;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every prior's masks side by side on a few of the user's images, as one HTML page ({@code OUT/index.html}, pictures
 * in {@code OUT/tiles/}), so a user sees which prior suits their data before mining a whole dataset. Each image is
 * scaled to {@code size} pixels on its longer side first (a preview, and fast). A prior with a required parameter that
 * was not given (the DINO priors' {@code weights}) is not run: the page lists it with the parameter it needs, since a
 * ViT at random initialisation would give masks that say nothing about the images. A prior that fails on an image
 * shows the error in that cell and the gallery goes on.
 */
public final class PriorsGallery {
    /** Where the page is and what ran: images shown, priors run, priors not run with the reason. */
    public record Summary(Path page, int images, List<String> ran, Map<String, String> notRun) {}

    private final List<MaskPrior> priors;
    private final Map<String, Map<String, String>> params;
    private final int size;

    /**
     * @param params per prior name, the parameters given for it (a name's missing entry: none); see {@link #params}
     * @param size   longer side of the previews in pixels
     */
    public PriorsGallery(List<MaskPrior> priors, Map<String, Map<String, String>> params, int size) {
        if (priors.isEmpty()) throw new IllegalArgumentException("priors-gallery: no priors to show");
        if (size < 16) throw new IllegalArgumentException("priors-gallery: size must be >= 16, got " + size);
        this.priors = List.copyOf(priors);
        this.params = Map.copyOf(params);
        this.size = size;
    }

    /**
     * Splits {@code key=value} parameters among the priors: {@code prior.key=value} goes to that prior, a bare
     * {@code key=value} to every prior that has the parameter (e.g. {@code weights=dino.pth} to the three DINO priors).
     * A parameter no selected prior knows is an error naming the priors and their parameters.
     */
    public static Map<String, Map<String, String>> params(List<MaskPrior> priors, Map<String, String> given) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (MaskPrior p : priors) out.put(p.name(), new LinkedHashMap<>());
        for (var e : given.entrySet()) {
            String key = e.getKey();
            boolean used = false;
            for (MaskPrior p : priors) {
                String name = key.startsWith(p.name() + ".") ? key.substring(p.name().length() + 1) : key.contains(".") ? null : key;
                if (name == null || p.params().stream().noneMatch(q -> q.name().equals(name))) continue;
                out.get(p.name()).put(name, e.getValue());
                used = true;
            }
            if (!used) {
                List<String> known = new ArrayList<>();
                for (MaskPrior p : priors) for (PriorParam q : p.params()) known.add(p.name() + "." + q.name());
                throw new IllegalArgumentException("priors-gallery: no selected prior has the parameter '" + key + "' (known: "
                        + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
            }
        }
        return out;
    }

    /** The first {@code maxImages} images (by name) with every prior, into {@code outDir}. */
    public Summary run(List<Path> images, int maxImages, Path outDir, StageListener listener) throws IOException {
        if (maxImages < 1) throw new IllegalArgumentException("priors-gallery: max images must be >= 1, got " + maxImages);
        Path tiles = Files.createDirectories(outDir.resolve("tiles"));
        Map<MaskPrior, PriorParams> runnable = new LinkedHashMap<>();
        Map<String, String> notRun = new LinkedHashMap<>();
        for (MaskPrior p : priors) {
            Map<String, String> given = params.getOrDefault(p.name(), Map.of());
            List<String> missing = new ArrayList<>();
            for (PriorParam q : p.params()) {
                if (q.required() && !given.containsKey(q.name())) missing.add("--param " + p.name() + "." + q.name() + "=... (" + q.description() + ")");
            }
            if (missing.isEmpty()) runnable.put(p, PriorParams.resolve(p, given));
            else notRun.put(p.name(), "needs " + String.join(" and ", missing));
        }
        List<Path> shown = images.subList(0, Math.min(maxImages, images.size()));
        List<Row> rows = new ArrayList<>();
        PriorContext context = new PriorContext();
        try (StageListener.Task task = listener.task("priors-gallery", (long) shown.size() * Math.max(1, runnable.size()), "prior runs")) {
            for (Path f : shown) {
                BufferedImage img = read(f, listener);
                if (img == null) continue;
                BufferedImage small = scaled(img, size);
                String stem = ImageFiles.stem(f);
                writePng(tiles.resolve(stem + ".png"), small);
                Map<String, String> cells = new LinkedHashMap<>();
                for (var e : runnable.entrySet()) {
                    cells.put(e.getKey().name(), cell(e.getKey(), e.getValue(), small, stem, tiles, context, listener));
                    task.step();
                }
                rows.add(new Row(f.getFileName().toString(), stem, cells));
            }
        }
        Path page = outDir.resolve("index.html");
        writePage(page, rows, runnable, notRun);
        return new Summary(page, rows.size(), runnable.keySet().stream().map(MaskPrior::name).toList(), notRun);
    }

    private record Row(String file, String stem, Map<String, String> cells) {}

    /** One prior on one image: the tile's HTML (overlay and mask count, or the error). */
    private String cell(MaskPrior p, PriorParams ps, BufferedImage img, String stem, Path tiles, PriorContext context, StageListener listener) {
        long t0 = System.nanoTime();
        try {
            PriorResult r = p.run(img, ps, context);
            int[] labels = new int[img.getWidth() * img.getHeight()];
            for (int k = r.masks().size() - 1; k >= 0; k--) { // best mask drawn last, on top
                byte[] px = r.masks().get(k).pixels();
                for (int i = 0; i < px.length; i++) if (px[i] != 0) labels[i] = 1 + k % 10;
            }
            String name = stem + "-" + p.name() + ".png";
            writePng(tiles.resolve(name), Overlays.image(Sample.of(img, new byte[labels.length]), labels));
            return String.format(Locale.ROOT, "<img src='tiles/%s' alt='%s'><br>%d mask%s, %.1f s", esc(name), esc(p.name()), r.masks().size(),
                    r.masks().size() == 1 ? "" : "s", (System.nanoTime() - t0) / 1e9);
        } catch (Exception | OutOfMemoryError e) {
            listener.problem(stem + ": prior " + p.name() + " failed: " + e.getMessage());
            return "<span class='err'>failed: " + esc(String.valueOf(e.getMessage())) + "</span>";
        }
    }

    private void writePage(Path page, List<Row> rows, Map<MaskPrior, PriorParams> runnable, Map<String, String> notRun) throws IOException {
        StringBuilder s = new StringBuilder("<!DOCTYPE html><html><head><meta charset='utf-8'><title>maskseg priors gallery</title><style>")
                .append("body{font-family:sans-serif;margin:2em;line-height:1.4}table{border-collapse:collapse}td,th{border:1px solid #aaa;padding:4px;")
                .append("text-align:center;vertical-align:top;font-size:90%}th{background:#eee;max-width:220px}img{max-width:220px;display:block;margin:auto}")
                .append(".err{color:#b00}.muted{color:#555;font-size:90%}</style></head><body><h1>Mask priors on your images</h1>")
                .append("<p>Each column is one prior run with the parameters shown, its masks tinted over the image (one colour per mask, the best ")
                .append("on top). Images are scaled to ").append(size).append(" px on the longer side (<code>--size</code>), so details may differ ")
                .append("from <code>maskseg mine-masks</code> on the full images. A saliency prior (one object mask per image) suits object-centred ")
                .append("photos; superpixel priors give many regions and need a method that groups them.</p>");
        if (!notRun.isEmpty()) {
            s.append("<h2>Not run</h2><p class='muted'>Priors that need DINO ViT weights run only when given them: <code>--param weights=FILE</code> ")
                    .append("gives them to every prior that takes weights, <code>--param PRIOR.weights=FILE</code> to one. With a randomly ")
                    .append("initialised ViT their masks would say nothing about your images, so they are not run without.</p><ul>");
            notRun.forEach((name, why) -> s.append("<li><b>").append(esc(name)).append("</b>: ").append(esc(why)).append("</li>"));
            s.append("</ul>");
        }
        s.append("<h2>Masks</h2><table><tr><th>image</th>");
        runnable.forEach((p, ps) -> s.append("<th>").append(esc(p.name())).append("<br><span class='muted'>").append(esc(p.description()))
                .append("<br>").append(esc(ps.asMap().isEmpty() ? "no parameters" : new java.util.TreeMap<>(ps.asMap()).toString())).append("</span></th>"));
        s.append("</tr>");
        for (Row r : rows) {
            s.append("<tr><td><img src='tiles/").append(esc(r.stem())).append(".png' alt='image'><br>").append(esc(r.file())).append("</td>");
            r.cells().values().forEach(c -> s.append("<td>").append(c).append("</td>"));
            s.append("</tr>");
        }
        s.append("</table><p class='muted'>Mine a dataset with the prior you choose: <code>maskseg mine-masks --prior NAME --images DIR --out DIR")
                .append(" [--param key=value]</code>.</p></body></html>");
        byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(page, o -> o.write(b));
    }

    private static BufferedImage read(Path f, StageListener listener) {
        try {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) listener.problem(f + ": not a readable PNG/JPEG; skipped");
            return img;
        } catch (IOException | RuntimeException e) {
            listener.problem(f + ": " + e.getMessage() + "; skipped");
            return null;
        }
    }

    /** The image as RGB, its longer side scaled down to {@code size} (never up). */
    static BufferedImage scaled(BufferedImage img, int size) {
        double s = Math.min(1.0, (double) size / Math.max(img.getWidth(), img.getHeight()));
        int w = Math.max(1, (int) Math.round(img.getWidth() * s)), h = Math.max(1, (int) Math.round(img.getHeight() * s));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    private static void writePng(Path file, BufferedImage img) throws IOException {
        AtomicFiles.write(file, o -> ImageIO.write(img, "png", o));
    }

    private static String esc(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;"); }
}
