package dev.maskseg.pipeline.demo;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.data.Overlays;
import dev.maskseg.pipeline.data.Sample;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The demo's HTML report: metrics, per-class IoU table, loss curve (PNG) and a grid of overlays (PNG). */
final class DemoReport {
    private DemoReport() {}

    static void lossCurve(Path file, String title, double[] epochs, java.util.Map<String, double[]> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(360).title(title).xAxisTitle("epoch").yAxisTitle("loss").build();
        series.forEach((name, values) -> chart.addSeries(name, epochs, values));
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, out -> out.write(png));
    }

    /** Rows of: image | ground truth | mined mask | k-means prediction | linear-probe prediction, overlaid on the image. */
    static void grid(Path file, List<Sample> images, List<byte[]> mined, List<int[]> kmeans, List<int[]> linear) throws IOException {
        int w = images.get(0).width(), h = images.get(0).height(), cols = 5, pad = 4;
        BufferedImage g = new BufferedImage(cols * (w + pad), images.size() * (h + pad), BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < images.size(); r++) {
            Sample s = images.get(r);
            int[] gt = new int[w * h];
            for (int i = 0; i < gt.length; i++) gt[i] = s.mask()[i] & 255;
            int[] mm = new int[w * h];
            if (mined.get(r) != null) for (int i = 0; i < mm.length; i++) mm[i] = mined.get(r)[i] != 0 ? 10 : 0;
            int[][] layers = {null, gt, mm, kmeans.get(r), linear.get(r)};
            for (int c = 0; c < cols; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int i = y * w + x;
                        g.setRGB(c * (w + pad) + x, r * (h + pad) + y, Overlays.rgb(s, i, layers[c] == null ? 0 : layers[c][i]));
                    }
                }
            }
        }
        AtomicFiles.write(file, out -> ImageIO.write(g, "png", out));
    }

    /** A table of MaskDistill's CRF rounds (rows as {@link DemoCrfRounds} makes them); empty without rounds. */
    @SuppressWarnings("unchecked")
    static String crfRoundsSection(Object rounds) {
        if (!(rounds instanceof List<?> rows) || rows.isEmpty()) return "";
        StringBuilder s = new StringBuilder("<h2>CRF self-training rounds</h2><p>Each round segments the train images with the previous network and the "
                + "dense CRF, then trains a fresh network on those maps (docs/methods.md §3.7). mIoU on val, labels Hungarian-matched.</p>"
                + "<table><tr><th>round</th><th>training labels</th><th>their mIoU (train)</th><th>val mIoU</th><th>val mIoU with CRF</th></tr>");
        for (Object o : rows) {
            Map<String, Object> r = (Map<String, Object>) o;
            Object lm = r.get("train_labels_miou");
            s.append(String.format("<tr><td>%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>%.3f</td></tr>", r.get("round"), esc(String.valueOf(r.get("train_labels"))),
                    lm == null ? "n/a" : String.format("%.3f", (Double) lm), (Double) r.get("miou"), (Double) r.get("miou_crf")));
        }
        return s.append("</table>").toString();
    }

    static void html(Path file, String title, String clusterColumn, String metricsJson, List<String> classes, double[] kmeansIou, double[] linearIou,
                     double[] baseKmeansIou, double[] baseLinearIou, String notes, String extraSections) throws IOException {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html><html><head><meta charset='utf-8'><title>maskseg demo</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 10px;text-align:right}")
                .append("th:first-child,td:first-child{text-align:left}pre{background:#f4f4f4;padding:1em}</style></head><body>")
                .append("<h1>maskseg demo: ").append(esc(title)).append(" on generated scenes</h1><p>").append(esc(notes)).append("</p>")
                .append("<h2>Metrics</h2><pre>").append(esc(metricsJson)).append("</pre>")
                .append("<h2>Per-class IoU (val)</h2><table><tr><th>class</th><th>").append(esc(clusterColumn))
                .append("</th><th>linear probe</th><th>").append(esc(clusterColumn)).append(", random init</th><th>linear, random init</th></tr>");
        for (int c = 0; c < classes.size(); c++) {
            s.append(String.format("<tr><td>%s</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>", esc(classes.get(c)),
                    kmeansIou[c], linearIou[c], baseKmeansIou[c], baseLinearIou[c]));
        }
        s.append("</table>").append(extraSections).append("<h2>Training loss</h2><img src='loss.png' alt='loss curve'>")
                .append("<h2>Val images</h2><p>Columns: image, ground truth, mined mask, ").append(esc(clusterColumn))
                .append(" prediction (Hungarian-matched), linear-probe prediction.</p>")
                .append("<img src='grid.png' alt='prediction grid'></body></html>");
        byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(b));
    }

    private static String esc(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }
}
