package dev.maskseg.pipeline.demo;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.Overlays;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.zoo.image.ImageEncoder;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's HTML report ({@code report.html}, its pictures in {@code report/}): what the scores mean, the scores of
 * the trained and random-init networks, a colour legend, per-class IoU with a note on classes a method never found,
 * val images in labelled columns (image, ground truth, prior mask, unsupervised prediction, linear probe), the worst
 * and best images by their own IoU, the loss curves, the run's configuration and the time of each step.
 */
final class DemoReport {
    private static final int FIRST_ROWS = 6, WORST_BEST = 3, PRIOR_LABEL = 10;
    private static final String DIR = "report";

    private final Path out;
    private final DemoOutcome outcome;
    private final List<String> classes;
    private final String prior;

    DemoReport(Path out, DemoOutcome outcome, List<String> classes, String prior) {
        this.out = out;
        this.outcome = outcome;
        this.classes = classes;
        this.prior = prior;
    }

    /**
     * Writes the report and its pictures. {@code mined} holds each val image's prior mask (null: none), {@code run}
     * the demo's options, {@code seconds} each step's wall-clock time.
     */
    void write(Path file, List<Sample> val, List<String> ids, List<byte[]> mined, Map<String, Object> metrics, Map<String, Object> run,
               Map<String, Double> seconds, String summary) throws IOException {
        Files.createDirectories(out.resolve(DIR));
        lossCurve(out.resolve(DIR).resolve("loss.png"));
        DemoOutcome.Scores t = outcome.trained();
        String c = outcome.clusterColumn();
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html><html><head><meta charset='utf-8'><title>maskseg demo: ").append(esc(outcome.title())).append("</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1150px;line-height:1.4}table{border-collapse:collapse;margin:.5em 0}")
                .append("td,th{border:1px solid #aaa;padding:4px 10px;text-align:right;vertical-align:middle}th{background:#eee}")
                .append("th:first-child,td:first-child{text-align:left;white-space:nowrap}td.note{text-align:left;color:#933;font-size:90%}")
                .append("pre{background:#f4f4f4;padding:1em;overflow-x:auto}.sw{display:inline-block;width:1.1em;height:1.1em;border:1px solid #555;")
                .append("vertical-align:middle;margin:0 .3em 0 1em}table.img td,table.img th{padding:2px 6px;text-align:center}table.img img{width:128px;")
                .append("image-rendering:pixelated;display:block}.muted{color:#555;font-size:90%}</style></head><body>")
                .append("<h1>maskseg demo: ").append(esc(outcome.title())).append(" on generated scenes</h1><p>").append(esc(summary)).append("</p>");

        s.append("<h2>Results (val)</h2><table><tr><th>score</th><th>trained</th><th>random init</th></tr>");
        s.append(row(c + " mIoU (unsupervised)", t.kmeans().miou(), outcome.random().kmeans().miou()));
        s.append(row("linear probe mIoU", t.linear().miou(), outcome.random().linear().miou()));
        s.append("</table><p class='muted'><b>").append(esc(c)).append("</b>: ").append(esc(clusterMeaning()))
                .append(" <b>Linear probe</b>: a 1x1 convolution trained with the labels on the frozen features; it measures how much class ")
                .append("information the features hold. <b>Random init</b>: the same network untrained (BatchNorm statistics re-estimated on the ")
                .append("train images), so the difference is what training on the prior's masks learned.</p>");

        s.append("<h2>Colours</h2><p>").append(legend()).append("</p><p class='muted'>Predictions and ground truth are drawn over the ")
                .append("image in the class colours; background is left untinted. The prior mask column shows the ").append(esc(prior))
                .append(" mask the method learned from.</p>");

        s.append("<h2>Per-class IoU (val)</h2><table><tr><th>class</th><th>").append(esc(c)).append("</th><th>linear probe</th><th>")
                .append(esc(c)).append(", random init</th><th>linear, random init</th><th>note</th></tr>");
        for (int k = 0; k < classes.size(); k++) {
            s.append(String.format(Locale.ROOT, "<tr><td><span class='sw' style='background:%s;margin-left:0'></span>%s</td><td>%.3f</td><td>%.3f</td>"
                            + "<td>%.3f</td><td>%.3f</td><td class='note'>%s</td></tr>", css(k), esc(classes.get(k)), t.kmeans().perClassIou()[k],
                    t.linear().perClassIou()[k], outcome.random().kmeans().perClassIou()[k], outcome.random().linear().perClassIou()[k], esc(note(k))));
        }
        s.append("</table>").append(crfRoundsSection(outcome.extra().get("crf_rounds")));

        List<Integer> first = new ArrayList<>();
        for (int i = 0; i < Math.min(FIRST_ROWS, val.size()); i++) first.add(i);
        s.append("<h2>Val images</h2>").append(images(first, val, ids, mined, null));

        double[] score = new double[val.size()];
        for (int i = 0; i < val.size(); i++) score[i] = imageMiou(t.clusterMaps().get(i), val.get(i));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < val.size(); i++) order.add(i);
        order.sort(Comparator.comparingDouble(i -> score[i]));
        int n = Math.min(WORST_BEST, val.size() / 2);
        s.append("<h2>Worst and best images</h2><p class='muted'>Ranked by the image's own mIoU of the ").append(esc(c))
                .append(" prediction (mean IoU over the classes in its ground truth or prediction).</p><h3>Worst</h3>")
                .append(images(order.subList(0, n), val, ids, mined, score))
                .append("<h3>Best</h3>").append(images(order.reversed().subList(0, n), val, ids, mined, score));

        s.append("<h2>Training loss</h2><img src='").append(DIR).append("/loss.png' alt='loss curves, mean per epoch'>");

        s.append("<h2>Run</h2><h3>Settings</h3><table>");
        run.forEach((k, v) -> s.append("<tr><td>").append(esc(k)).append("</td><td style='text-align:left'>").append(esc(String.valueOf(v))).append("</td></tr>"));
        s.append("</table><h3>Configuration</h3><pre>").append(esc(RunConfig.toYaml(outcome.config()))).append("</pre><h3>Timings</h3><table>");
        seconds.forEach((k, v) -> s.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.1f s</td></tr>", esc(k), v)));
        s.append("</table><details><summary>metrics.json</summary><pre>").append(esc(dev.maskseg.pipeline.data.JsonFiles.text(metrics)))
                .append("</pre></details></body></html>");
        byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, o -> o.write(b));
    }

    /** A table of MaskDistill's CRF rounds (rows as {@link DemoCrfRounds} makes them); empty without rounds. */
    @SuppressWarnings("unchecked")
    static String crfRoundsSection(Object rounds) {
        if (!(rounds instanceof List<?> rows) || rows.isEmpty()) return "";
        StringBuilder s = new StringBuilder("<h2>CRF self-training rounds</h2><p>Each round segments the train images with the previous network and the "
                + "dense CRF, then trains a fresh network on those maps (docs/methods.md §3.7). mIoU on val, labels matched as above.</p>"
                + "<table><tr><th>round</th><th>training labels</th><th>their mIoU (train)</th><th>val mIoU</th><th>val mIoU with CRF</th></tr>");
        for (Object o : rows) {
            Map<String, Object> r = (Map<String, Object>) o;
            Object lm = r.get("train_labels_miou");
            s.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>%.3f</td></tr>", r.get("round"),
                    esc(String.valueOf(r.get("train_labels"))), lm == null ? "n/a" : String.format(Locale.ROOT, "%.3f", (Double) lm),
                    (Double) r.get("miou"), (Double) r.get("miou_crf")));
        }
        return s.append("</table>").toString();
    }

    private String clusterMeaning() {
        return outcome.clusterColumn().equals("k-means")
                ? "one prototype per image (its salient pixels' embedding), clustered by k-means into as many clusters as object classes, each "
                  + "cluster matched to one class by the Hungarian method; no labels are used except for that matching (mean over 5 seeds)."
                : "the segmenter's own labels (clusters of the prior's masks), each matched to one class by the Hungarian method; no labels are "
                  + "used except for that matching.";
    }

    /** Why a class scored 0, when it did. */
    private String note(int k) {
        List<String> notes = new ArrayList<>();
        if (outcome.trained().kmeans().perClassIou()[k] == 0) {
            notes.add(k == 0 ? "no predicted label was matched to background" : "never found by " + outcome.clusterColumn() + ": the label matched to "
                    + classes.get(k) + " does not overlap it (the method merged it with other classes or missed its objects)");
        }
        if (outcome.trained().linear().perClassIou()[k] == 0) notes.add("the linear probe never predicts it");
        return String.join("; ", notes);
    }

    private String legend() {
        StringBuilder s = new StringBuilder();
        for (int k = 1; k < classes.size(); k++) s.append("<span class='sw' style='background:").append(css(k)).append("'></span>").append(esc(classes.get(k)));
        s.append("<span class='sw' style='background:").append(css(PRIOR_LABEL)).append("'></span>prior mask (").append(esc(prior)).append(")");
        s.append("<span class='sw' style='background:#fff'></span>").append(esc(classes.get(0))).append(" (untinted)");
        return s.toString();
    }

    /** Rows of labelled image columns; with {@code score}, a last column with each image's mIoU. */
    private String images(List<Integer> rows, List<Sample> val, List<String> ids, List<byte[]> mined, double[] score) throws IOException {
        StringBuilder s = new StringBuilder("<table class='img'><tr><th>image</th><th>ground truth</th><th>prior mask (").append(esc(prior))
                .append(")</th><th>").append(esc(outcome.clusterColumn())).append(" prediction</th><th>linear probe</th>")
                .append(score == null ? "" : "<th>image mIoU</th>").append("<th>id</th></tr>");
        for (int i : rows) {
            Sample v = val.get(i);
            int[] gt = new int[v.mask().length], pm = new int[v.mask().length];
            for (int q = 0; q < gt.length; q++) gt[q] = v.mask()[q] & 255;
            if (mined.get(i) != null) for (int q = 0; q < pm.length; q++) pm[q] = mined.get(i)[q] != 0 ? PRIOR_LABEL : 0;
            int[][] layers = {new int[gt.length], gt, pm, outcome.trained().clusterMaps().get(i), outcome.trained().linearMaps().get(i)};
            String[] names = {"image", "gt", "prior", "clusters", "probe"};
            s.append("<tr>");
            for (int c = 0; c < layers.length; c++) {
                String name = ids.get(i) + "-" + names[c] + ".png";
                BufferedImage img = Overlays.image(v, layers[c]);
                ImageEncoder.writePng(out.resolve(DIR).resolve(name), img);
                s.append("<td><img src='").append(DIR).append('/').append(esc(name)).append("' alt='").append(names[c]).append("'></td>");
            }
            if (score != null) s.append(String.format(Locale.ROOT, "<td>%.3f</td>", score[i]));
            s.append("<td>").append(esc(ids.get(i))).append("</td></tr>");
        }
        return s.append("</table>").toString();
    }

    /** The mean IoU over the classes in the image's ground truth or prediction (ignore 255 left out). */
    static double imageMiou(int[] pred, Sample gt) {
        int k = 256;
        long[] inter = new long[k], union = new long[k];
        boolean[] seen = new boolean[k];
        for (int q = 0; q < pred.length; q++) {
            int g = gt.mask()[q] & 255, p = pred[q];
            if (g == 255) continue;
            seen[g] = seen[p] = true;
            if (g == p) inter[g]++;
        }
        for (int q = 0; q < pred.length; q++) {
            int g = gt.mask()[q] & 255, p = pred[q];
            if (g == 255) continue;
            union[g]++;
            if (p != g) union[p]++;
        }
        double sum = 0;
        int n = 0;
        for (int c = 0; c < k; c++) {
            if (!seen[c]) continue;
            sum += (double) inter[c] / union[c];
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    private void lossCurve(Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(720).height(360).title(outcome.title() + " training loss (mean per epoch)")
                .xAxisTitle("epoch").yAxisTitle("loss").build();
        outcome.losses().forEach((name, values) -> chart.addSeries(name, outcome.epochs(), values));
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, o -> o.write(png));
    }

    private static String row(String name, double trained, double random) {
        return String.format(Locale.ROOT, "<tr><td>%s</td><td><b>%.3f</b></td><td>%.3f</td></tr>", esc(name), trained, random);
    }

    /** A label's colour; background (0) is left untinted in the overlays, so its swatch is white. */
    private static String css(int label) { return label == 0 ? "#ffffff" : String.format("#%06x", Overlays.color(label)); }

    private static String esc(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;"); }
}
